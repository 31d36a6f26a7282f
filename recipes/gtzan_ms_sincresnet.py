"""Chang et al. (ICMR 2021): MS-SincResNet, 10-fold CV with voting. Settings and steps:
kgenre.experiments.gtzan_ms_sincresnet.

python recipes/gtzan_ms_sincresnet.py            # 10 folds on the synthetic GTZAN-like corpus
python recipes/gtzan_ms_sincresnet.py --smoke    # a tiny run
python recipes/gtzan_ms_sincresnet.py --help     # every setting, with its default
"""

import sys

from kgenre.experiments.gtzan_ms_sincresnet import main

if __name__ == "__main__":
    sys.exit(main())

"""Phan et al. (ICASSP 2021): multi-view genre classification. Settings and steps:
kgenre.experiments.multiview.

python recipes/multiview.py            # 10-fold CV of every Table 3 system, synthetic GTZAN-like corpus
python recipes/multiview.py --smoke    # a tiny run
python recipes/multiview.py --help     # every setting, with its default
"""

import sys

from kgenre.experiments.multiview import main

if __name__ == "__main__":
    sys.exit(main())

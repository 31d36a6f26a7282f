"""keras-tuner search over what the papers vary. Settings, steps and the distributed mode:
kgenre.experiments.tune.

python recipes/tune.py --architecture ms_sincresnet --max-trials 10
python recipes/tune.py --smoke      # a tiny 2-trial search
python recipes/tune.py --help       # every setting, with its default
"""

import sys

from kgenre.experiments.tune import main

if __name__ == "__main__":
    sys.exit(main())

"""Mersy (AAAI 2021): EDM genres from stems. Settings and steps: kgenre.experiments.edm_stems.

python recipes/edm_stems.py            # the paper's 50 trials on the synthetic EDM corpus
python recipes/edm_stems.py --smoke    # a tiny run
python recipes/edm_stems.py --help     # every setting, with its default
"""

import sys

from kgenre.experiments.edm_stems import main

if __name__ == "__main__":
    sys.exit(main())

"""Ausilio et al. (SoundFusion slides): 1D, 2D and fused models on FMA-small. Settings and
steps: kgenre.experiments.soundfusion_fma.

python recipes/soundfusion_fma.py            # the slides' models on the synthetic stand-in
python recipes/soundfusion_fma.py --smoke    # a tiny run
python recipes/soundfusion_fma.py --help     # every setting, with its default
"""

import sys

from kgenre.experiments.soundfusion_fma import main

if __name__ == "__main__":
    sys.exit(main())

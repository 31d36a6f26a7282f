"""Hyper-parameter search (keras-tuner) over what the papers vary.

    python recipes/tune.py --architecture ms_sincresnet --max-trials 10 --output-dir runs/tune
    python recipes/tune.py --smoke --output-dir /tmp/tune_smoke

Without --data the clips come from the synthetic corpus (kgenre.datasets.synthetic),
rendered in memory. --data takes an .npz with x (clips, samples), y and optionally
track_ids. Settings: kgenre.training.tuning.TuneConfig.
"""

import argparse
import json

from kgenre.training.tuning import TuneConfig, run_tune


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--smoke", action="store_true", help="tiny 2-trial search on synthetic data")
    p.add_argument("--output-dir", default=None)
    p.add_argument("--architecture", choices=["ms_sincresnet", "sincnet", "resnet1d"])
    p.add_argument("--data", help=".npz with x, y[, track_ids]")
    p.add_argument("--family", choices=["edm", "gtzan"])
    p.add_argument("--tracks-per-genre", type=int)
    p.add_argument("--max-trials", type=int)
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--seed", type=int)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    overrides = {
        key: value for key, value in vars(args).items() if key != "smoke" and value is not None
    }
    config = TuneConfig.smoke(**overrides) if args.smoke else TuneConfig(**overrides)
    result = run_tune(config)
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()

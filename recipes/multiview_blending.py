"""Multi-view CRNN with adaptive gradient blending on the synthetic corpus (seed 003).

    python recipes/multiview_blending.py --output-dir runs/multiview_blending --epochs 30
    python recipes/multiview_blending.py --smoke --output-dir /tmp/blend_smoke

Writes blend_weights.csv (one row per weight update), report.md, metrics.json and PNG
plots (blending weights, losses, confusion) into the output folder. Settings:
kgenre.training.blending_run.BlendingRunConfig.
"""

import argparse
import json

from kgenre.training.blending_run import BlendingRunConfig, run_multiview_blending


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--smoke", action="store_true", help="tiny run on 12 two-second tracks")
    p.add_argument("--output-dir")
    p.add_argument("--family", choices=["edm", "gtzan"])
    p.add_argument("--tracks-per-genre", type=int)
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--update-every", type=int)
    p.add_argument("--window", type=int)
    p.add_argument("--seed", type=int)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    overrides = {k: v for k, v in vars(args).items() if k != "smoke" and v is not None}
    config = BlendingRunConfig.smoke(**overrides) if args.smoke else BlendingRunConfig(**overrides)
    out = run_multiview_blending(config)
    print(
        json.dumps(
            {
                "final_weights": out["final_weights"],
                "summary": out["result"].summary,
                "run_dir": out["run_dir"],
            },
            indent=2,
        )
    )
    return out


if __name__ == "__main__":
    main()

"""Experiments: the papers' protocols as runnable recipes, on one runner.

Each recipe is a module with a `Config` dataclass (paper defaults, `Config.smoke()` for a tiny
run), `run(config) -> RunResult` and `main(argv)`; `python -m kgenre.experiments.<name>`,
`kgenre train <name>` and `recipes/<name>.py` all call `main`. Every run writes the same run
folder (see `kgenre.experiments.run_folder`) and resumes where it stopped.

| recipe | paper |
|---|---|
| `edm_stems` | Mersy, AAAI 2021 (seed 002): stems as a 3-channel mel image, 50 trials |
| `gtzan_ms_sincresnet` | Chang et al., ICMR 2021 (seed 000): 10-fold CV, voting, ablations |
| `soundfusion_fma` | Ausilio et al. (seed 001): FMA-small, 1D/2D models, fusion |
| `multiview` | Phan et al. (seed 003): single views, fusion, blending, self-ensemble |
| `tune` | keras-tuner search over what the papers vary |

Importing this package is cheap: recipe modules are imported on demand.
"""

import importlib

RECIPES = {
    "edm_stems": "kgenre.experiments.edm_stems",
    "gtzan_ms_sincresnet": "kgenre.experiments.gtzan_ms_sincresnet",
    "soundfusion_fma": "kgenre.experiments.soundfusion_fma",
    "multiview": "kgenre.experiments.multiview",
    "tune": "kgenre.experiments.tune",
}


def recipe(name: str):
    """The recipe module called `name` (see `RECIPES`)."""
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}; choose one of {sorted(RECIPES)}")
    return importlib.import_module(RECIPES[name])


def main(name: str, argv=None) -> int:
    """Runs recipe `name` with command-line arguments `argv`."""
    return recipe(name).main(argv)


__all__ = ["RECIPES", "main", "recipe"]

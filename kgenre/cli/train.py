"""`kgenre train RECIPE [recipe flags]`: runs one of `kgenre.experiments.RECIPES`.

Every flag after RECIPE goes to the recipe's own `main(argv)` (so `kgenre train RECIPE
--help` shows the recipe's flags), which prints the run folder at the end.
"""

from __future__ import annotations

import argparse
import importlib

from kgenre.cli._runtime import import_backend


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds the `train` command."""
    parser = subparsers.add_parser(
        "train",
        help="run an experiment recipe (kgenre train --list)",
        description=(
            "Runs an experiment recipe of kgenre.experiments; the flags after RECIPE are the "
            "recipe's own (kgenre train RECIPE --help). Each run writes a run folder "
            "(--run-dir) with metrics, a report, plots and model.keras."
        ),
    )
    parser.add_argument("--list", action="store_true", help="list the recipes")
    parser.add_argument("recipe", nargs="?", help="recipe name (see --list)")
    parser.add_argument("recipe_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.set_defaults(func=_run)


def available_recipes() -> dict:
    """Recipe name -> module path, from `kgenre.experiments.RECIPES`."""
    from kgenre.experiments import RECIPES

    return dict(RECIPES)


def _run(args: argparse.Namespace) -> int:
    recipes = available_recipes()
    if args.list or not args.recipe:
        print("recipes: " + ", ".join(sorted(recipes)))
        print("run one with `kgenre train RECIPE [flags]`; `kgenre train RECIPE --help` for flags")
        return 0 if args.list else 2
    if args.recipe not in recipes:
        raise ValueError(f"unknown recipe {args.recipe!r}; choose one of {sorted(recipes)}")
    import_backend(tensorflow=True)
    module = importlib.import_module(recipes[args.recipe])
    status = module.main(list(args.recipe_args))  # each recipe prints its run folder
    return 0 if status is None else int(status)

import pytest


@pytest.fixture(scope="session")
def smoke_args():
    """`smoke_args(folder, *extra)`: a recipe's `--smoke` flags with its records and run
    folders under `folder`."""

    def args(folder, *extra):
        return [
            "--smoke",
            "--no-progress",
            "--records-dir",
            str(folder / "records"),
            "--run-dir",
            str(folder / "run"),
            *extra,
        ]

    return args

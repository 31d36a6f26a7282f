"""The choices of the training-speed and device settings, importable without Keras (the
recipes' `--help` lists them)."""

PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")
"""`speed_options(mixed_precision=...)`: Keras dtype policies."""

JIT_COMPILE = ("auto", "true", "false")
"""`RunOptions.jit_compile` as a flag: Keras' own choice, or XLA / `torch.compile` on or off."""

DISTRIBUTE_MODES = ("auto", "none", "data_parallel")
"""`kgenre.training.distribution` modes."""

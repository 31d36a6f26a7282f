"""Validators for the numbers every kgenre entry point takes, with the parameter in the message.

One policy for the library, the CLI and the experiments: a number is refused unless it is
finite, of the right kind and inside a documented range, and the `ValueError` names the
parameter and shows the value received (`sample_rate must be ..., got nan`). The bounds are
wide enough for every real use and narrow enough that a slip (`inf`, `nan`, `1e-9`) fails at
once instead of hanging a resampler, exhausting memory or dividing by zero deep inside.

Bounds:
- sample rates: whole numbers of hertz in `[1, MAX_SAMPLE_RATE]` (768 kHz, the highest rate
  of common studio formats; every audio file stores an integer rate);
- durations (clip, hop, excerpt seconds): finite, positive, at most `MAX_SECONDS` (one hour,
  far beyond any clip a model is fed) and at least one sample at the rate in use
  (`seconds_to_samples`);
- counts and sizes (batch size, clips per track, tracks per shard, workers): whole numbers
  `>= 1` unless the caller allows zero.
"""

import math
import numbers

MAX_SAMPLE_RATE = 768_000
"""Largest accepted sample rate in Hz."""

MAX_SECONDS = 3600.0
"""Largest accepted clip, hop or excerpt duration in seconds."""


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_number(
    value: object,
    name: str,
    minimum: float | None = None,
    maximum: float | None = None,
    *,
    include_minimum: bool = True,
) -> float:
    """A finite real number within `[minimum, maximum]`, as `float`.

    Args:
        value: the number to check.
        name: the parameter name shown in the error.
        minimum: lowest accepted value, `None` for no bound.
        maximum: highest accepted value, `None` for no bound.
        include_minimum: `False` makes the lower bound exclusive (`value > minimum`).

    Raises:
        ValueError: not a real number, not finite, or out of range.
    """
    if not _is_real(value) or not math.isfinite(float(value)):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    value = float(value)
    low_ok = minimum is None or (value >= minimum if include_minimum else value > minimum)
    if not low_ok or (maximum is not None and value > maximum):
        low = "" if minimum is None else f"{'[' if include_minimum else '('}{minimum:g}"
        high = "" if maximum is None else f"{maximum:g}]"
        raise ValueError(f"{name} must be in {low or '(-inf'}, {high or 'inf)'}, got {value!r}")
    return value


def check_count(value: object, name: str, minimum: int = 1, maximum: int | None = None) -> int:
    """A whole number `>= minimum` (and `<= maximum`), as `int`; floats like `4.0` pass.

    Raises:
        ValueError: not a whole number or out of range.
    """
    if not _is_real(value) or not math.isfinite(float(value)) or float(value) != int(value):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        bound = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
        raise ValueError(f"{name} must be {bound}, got {value}")
    return value


def check_sample_rate(value: object, name: str = "sample_rate") -> int:
    """A sample rate: a whole number of hertz in `[1, MAX_SAMPLE_RATE]`, as `int`.

    Example:
        >>> check_sample_rate(22050.0)
        22050

    Raises:
        ValueError: `nan`, `inf`, a fraction, zero, negative or above 768 kHz, naming `name`.
    """
    return check_count(value, name, minimum=1, maximum=MAX_SAMPLE_RATE)


def check_seconds(
    value: object, name: str, maximum: float = MAX_SECONDS, allow_zero: bool = False
) -> float:
    """A duration in seconds: finite, positive (or zero if allowed), at most `maximum`.

    Example:
        >>> check_seconds(3, "clip_seconds")
        3.0

    Raises:
        ValueError: not finite, not positive, or longer than `maximum`, naming `name`.
    """
    return check_number(value, name, 0.0, maximum, include_minimum=allow_zero)


def seconds_to_samples(seconds: float, sample_rate: int, name: str) -> int:
    """`round(seconds * sample_rate)`, refused when it is less than one sample.

    Example:
        >>> seconds_to_samples(0.5, 16000, "hop_seconds")
        8000

    Raises:
        ValueError: a bad duration or rate, or a duration shorter than one sample (a hop of
            `1e-9` s would otherwise divide by zero).
    """
    seconds = check_seconds(seconds, name)
    sample_rate = check_sample_rate(sample_rate)
    samples = int(round(seconds * sample_rate))
    if samples < 1:
        raise ValueError(
            f"{name}={seconds!r} is less than one sample at {sample_rate} Hz; "
            f"use at least {1 / sample_rate:.3g} s"
        )
    return samples


def check_choice(value: object, name: str, choices: tuple) -> object:
    """`value` if it is one of `choices`, else a `ValueError` listing them."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value

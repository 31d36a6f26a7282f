"""The papers' learning-rate schedules and optimizers, counted in training steps."""

import keras
from keras import ops

DECAY_ORIGINS = ("start", "warmup_end")


@keras.saving.register_keras_serializable(package="kgenre")
class WarmupStepDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant warm-up rate, then a base rate multiplied by `factor` every `period` steps.

    `lr(t) = warmup_rate` for `t < warmup_steps`, else `base_rate * factor ** floor((t - o) /
    period)`, where the decay periods are counted from the start of training (`o = 0`,
    `decay_origin="start"`, as MS-SincResNet's official code does) or from the end of the
    warm-up (`o = warmup_steps`, `decay_origin="warmup_end"`).

    Args:
        warmup_rate: rate during warm-up.
        warmup_steps: warm-up length in steps (>= 0).
        base_rate: rate right after warm-up.
        period: steps between decays (>= 1).
        factor: multiplier at each decay (0 < factor <= 1).
        decay_origin: `"start"` (the default) or `"warmup_end"`.

    Example:

    ```python
    lr = WarmupStepDecay(1e-5, 5 * 100, 5e-3, 30 * 100, 0.5)  # MS-SincResNet, 100 steps/epoch
    ```

    References:
        P.-C. Chang, Y.-S. Chen, C.-H. Lee, "MS-SincResNet", ICMR 2021 (seed 000), Sec. 2.3;
        its code, github.com/PeiChunChang/MS-SincResNet (`main.py`).
    """

    def __init__(
        self,
        warmup_rate: float,
        warmup_steps: int,
        base_rate: float,
        period: int,
        factor: float = 0.5,
        name: str | None = None,
        decay_origin: str = "start",
    ):
        if int(warmup_steps) < 0:
            raise ValueError(f"warmup_steps must be >= 0, got {warmup_steps}")
        if int(period) < 1:
            raise ValueError(f"period must be >= 1, got {period}")
        if not 0 < factor <= 1:
            raise ValueError(f"factor must be in (0, 1], got {factor}")
        if decay_origin not in DECAY_ORIGINS:
            raise ValueError(f"decay_origin must be one of {DECAY_ORIGINS}, got {decay_origin!r}")
        self.warmup_rate = float(warmup_rate)
        self.warmup_steps = int(warmup_steps)
        self.base_rate = float(base_rate)
        self.period = int(period)
        self.factor = float(factor)
        self.name = name
        self.decay_origin = decay_origin

    def __call__(self, step):
        step = ops.cast(step, "float32")
        origin = self.warmup_steps if self.decay_origin == "warmup_end" else 0
        decays = ops.floor(ops.maximum(step - origin, 0.0) / self.period)
        rate = self.base_rate * ops.power(self.factor, decays)
        return ops.where(step < self.warmup_steps, self.warmup_rate, rate)

    def get_config(self):
        return {
            "warmup_rate": self.warmup_rate,
            "warmup_steps": self.warmup_steps,
            "base_rate": self.base_rate,
            "period": self.period,
            "factor": self.factor,
            "name": self.name,
            "decay_origin": self.decay_origin,
        }

    @classmethod
    def from_config(cls, config):
        # schedules saved before decay_origin existed counted from the end of the warm-up
        return cls(**{"decay_origin": "warmup_end", **config})


@keras.saving.register_keras_serializable(package="kgenre")
class WarmupMilestoneDecay(keras.optimizers.schedules.LearningRateSchedule):
    """Constant warm-up rate, then a base rate multiplied by `factor` at each milestone.

    `lr(t) = warmup_rate` for `t < warmup_steps`, else
    `base_rate * factor ** #{m in milestones : t >= m}` (milestones in steps, counted
    from the start of training).

    Args:
        warmup_rate: rate during warm-up.
        warmup_steps: warm-up length in steps (>= 0).
        base_rate: rate after warm-up.
        milestones: increasing step numbers where the rate is multiplied by `factor`.
        factor: multiplier at each milestone.

    References:
        H. Phan et al., "Multi-view audio and music classification", ICASSP 2021
        (seed 003), Sec. 3.1.3.
    """

    def __init__(self, warmup_rate, warmup_steps, base_rate, milestones, factor=0.8, name=None):
        milestones = [int(m) for m in milestones]
        if milestones != sorted(milestones):
            raise ValueError(f"milestones must be increasing, got {milestones}")
        if int(warmup_steps) < 0:
            raise ValueError(f"warmup_steps must be >= 0, got {warmup_steps}")
        if not 0 < factor <= 1:
            raise ValueError(f"factor must be in (0, 1], got {factor}")
        self.warmup_rate = float(warmup_rate)
        self.warmup_steps = int(warmup_steps)
        self.base_rate = float(base_rate)
        self.milestones = milestones
        self.factor = float(factor)
        self.name = name

    def __call__(self, step):
        step = ops.cast(step, "float32")
        passed = ops.zeros((), dtype="float32")
        for m in self.milestones:
            passed = passed + ops.cast(step >= m, "float32")
        rate = self.base_rate * ops.power(self.factor, passed)
        return ops.where(step < self.warmup_steps, self.warmup_rate, rate)

    def get_config(self):
        return {
            "warmup_rate": self.warmup_rate,
            "warmup_steps": self.warmup_steps,
            "base_rate": self.base_rate,
            "milestones": list(self.milestones),
            "factor": self.factor,
            "name": self.name,
        }


def _check_steps(steps_per_epoch):
    if int(steps_per_epoch) < 1:
        raise ValueError(f"steps_per_epoch must be >= 1, got {steps_per_epoch}")
    return int(steps_per_epoch)


def ms_sincresnet_schedule(
    steps_per_epoch: int,
    warmup_epochs: int = 5,
    warmup_rate: float = 1e-5,
    base_rate: float = 5e-3,
    halve_every_epochs: int = 30,
    decay_origin: str = "start",
) -> WarmupStepDecay:
    """MS-SincResNet's rate: 1e-5 for 5 warm-up epochs, then 5e-3 halved every 30 epochs.

    Seed 000, Sec. 2.3: "the warm-up strategy with learning rate 1e-5 is used for the
    first five epochs. After that, we set lr=0.005 from the 6-th epoch, and decay half
    for every 30 epochs." The text leaves open where the 30 epochs are counted from; the
    official code (`main.py`: `if epoch % 30 == 0 and epoch != 0`, epochs counted from 0)
    halves at epochs 30, 60, ... from the start of training, which is the default here
    (epochs 5-29 at 5e-3, 30-59 at 2.5e-3, ...). `decay_origin="warmup_end"` counts from the
    end of the warm-up instead (halving at epochs 35, 65, ...).
    """
    spe = _check_steps(steps_per_epoch)
    return WarmupStepDecay(
        warmup_rate,
        warmup_epochs * spe,
        base_rate,
        halve_every_epochs * spe,
        factor=0.5,
        decay_origin=decay_origin,
    )


def ms_sincresnet_optimizer(
    steps_per_epoch, momentum=0.9, nesterov=True, weight_decay=1e-4, **schedule_kwargs
):
    """SGD for MS-SincResNet: Nesterov momentum 0.9, weight decay 1e-4, `ms_sincresnet_schedule`.

    The paper (seed 000, Sec. 2.3) names SGD only; momentum 0.9, Nesterov and weight
    decay 1e-4 are the values the project's training brief fixes (the usual ResNet
    setting of the authors' PyTorch code base). Keras' `weight_decay` is decoupled
    (applied to the weights directly), where PyTorch's SGD adds it to the gradient.
    """
    return keras.optimizers.SGD(
        learning_rate=ms_sincresnet_schedule(steps_per_epoch, **schedule_kwargs),
        momentum=momentum,
        nesterov=nesterov,
        weight_decay=weight_decay,
    )


def multiview_schedule(
    steps_per_epoch,
    warmup_epochs=10,
    warmup_rate=1e-5,
    base_rate=1e-4,
    milestone_epochs=(50, 100, 150),
    factor=0.8,
):
    """Multi-view CRNN rate: 10 warm-up epochs at a small rate, then x0.8 at milestones.

    Seed 003, Sec. 3.1.3: Adam, "the learning rate was initially set to [lost] and was
    exponentially reduced with a rate of 0.8 after [lost], [lost], and [lost] epochs. In
    addition, the first 10 epochs were used as a warm-up period in which the network
    was trained with a small learning rate of [lost]". The lost numbers are filled with
    Adam's customary 1e-4 (base), 1e-5 (warm-up, ten times smaller) and milestones at
    epochs 50, 100 and 150 (evenly spread over a 200-epoch run, the GTZAN/DCASE length
    of the cited XSleepNet setup); override them when the paper's values are known.
    """
    spe = _check_steps(steps_per_epoch)
    return WarmupMilestoneDecay(
        warmup_rate, warmup_epochs * spe, base_rate, [m * spe for m in milestone_epochs], factor
    )


def multiview_optimizer(steps_per_epoch, **schedule_kwargs):
    """Adam with `multiview_schedule` (seed 003, Sec. 3.1.3)."""
    return keras.optimizers.Adam(
        learning_rate=multiview_schedule(steps_per_epoch, **schedule_kwargs)
    )

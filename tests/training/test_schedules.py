import os

import keras
import numpy as np
import pytest
from keras import ops

from kgenre.training import (
    WarmupMilestoneDecay,
    WarmupStepDecay,
    ms_sincresnet_optimizer,
    ms_sincresnet_schedule,
    multiview_optimizer,
    multiview_schedule,
)


def _rates(schedule, steps):
    return np.array([float(ops.convert_to_numpy(schedule(s))) for s in steps])


def test_ms_sincresnet_optimizer_follows_the_paper():
    opt = ms_sincresnet_optimizer(steps_per_epoch=10)
    assert isinstance(opt, keras.optimizers.SGD)
    assert opt.momentum == 0.9 and opt.nesterov and opt.weight_decay == pytest.approx(1e-4)
    lr = opt.learning_rate if callable(opt.learning_rate) else opt._learning_rate
    # the official code: epochs 0-4 (counted from 0) warm up at 1e-5, epoch 5 starts 5e-3,
    # halved at epochs 30, 60, ... counted from the start of training
    steps = [0, 49, 50, 299, 300, 599, 600]
    np.testing.assert_allclose(
        _rates(lr, steps), [1e-5, 1e-5, 5e-3, 5e-3, 2.5e-3, 2.5e-3, 1.25e-3], rtol=1e-6
    )


def test_ms_sincresnet_schedule_can_count_from_the_end_of_the_warmup():
    lr = ms_sincresnet_schedule(steps_per_epoch=10, decay_origin="warmup_end")
    steps = [49, 50, 50 + 299, 50 + 300, 50 + 600]
    np.testing.assert_allclose(_rates(lr, steps), [1e-5, 5e-3, 5e-3, 2.5e-3, 1.25e-3], rtol=1e-6)
    with pytest.raises(ValueError, match="decay_origin"):
        ms_sincresnet_schedule(10, decay_origin="epoch")


def test_schedules_saved_before_decay_origin_keep_counting_from_the_warmup():
    config = keras.saving.serialize_keras_object(WarmupStepDecay(1e-5, 3, 5e-3, 4, 0.5))
    del config["config"]["decay_origin"]
    restored = keras.saving.deserialize_keras_object(config)
    assert restored.decay_origin == "warmup_end"
    np.testing.assert_allclose(_rates(restored, [3, 6, 7]), [5e-3, 5e-3, 2.5e-3])


def test_multiview_schedule_warmup_and_milestones():
    s = multiview_schedule(
        steps_per_epoch=2, base_rate=1e-3, warmup_rate=1e-5, milestone_epochs=(20, 40)
    )
    np.testing.assert_allclose(
        _rates(s, [0, 19, 20, 39, 40, 79, 80]),
        [1e-5, 1e-5, 1e-3, 1e-3, 8e-4, 8e-4, 6.4e-4],
        rtol=1e-6,
    )
    assert isinstance(multiview_optimizer(5), keras.optimizers.Adam)


def test_schedules_round_trip_through_keras_serialization(tmp_path):
    for schedule in (
        WarmupStepDecay(1e-5, 3, 5e-3, 4, 0.5),
        WarmupMilestoneDecay(1e-5, 3, 1e-3, [5, 9]),
    ):
        config = keras.saving.serialize_keras_object(schedule)
        assert config["registered_name"].startswith("kgenre>")
        restored = keras.saving.deserialize_keras_object(config)
        np.testing.assert_allclose(_rates(restored, range(12)), _rates(schedule, range(12)))
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(ms_sincresnet_optimizer(4), loss="mse")
    model.fit(np.ones((8, 2)), np.ones((8, 1)), epochs=1, verbose=0)
    path = os.path.join(tmp_path, "m.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    lr = loaded.optimizer._learning_rate
    assert isinstance(lr, WarmupStepDecay) and lr.warmup_steps == 20


def test_bad_schedule_arguments():
    with pytest.raises(ValueError, match="period"):
        WarmupStepDecay(1e-5, 1, 1e-3, 0)
    with pytest.raises(ValueError, match="increasing"):
        WarmupMilestoneDecay(1e-5, 1, 1e-3, [5, 2])
    with pytest.raises(ValueError, match="steps_per_epoch"):
        ms_sincresnet_optimizer(0)

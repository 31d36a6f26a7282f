import os

import numpy as np
import pytest
from keras import ops

from kgenre.audio import GammatoneSpectrogram, gammatone_spectrogram, load
from kgenre.testing.test_case import run_layer_test


def test_layer_contract():
    run_layer_test(
        GammatoneSpectrogram,
        {"sample_rate": 16000, "n_fft": 512, "hop_length": 256, "n_bands": 32},
        input_shape=(2, 4096),
        expected_output_shape=(2, 32, 17),
        symbolic_input_shape=(None,),
        expected_symbolic_shape=(None, 32, None),
        expect_trainable_weights=False,
        run_training=False,
        saving_atol=1e-4,
    )


def test_matches_offline_function(shared_audio_dir):
    y, sr = load(os.path.join(shared_audio_dir, "sorohan_solo_trumpet.ogg"))
    y = y[: 3 * sr]
    # Multi-view paper: 40-ms windows with 50% overlap.
    win = round(0.04 * sr)
    kwargs = {"n_fft": 1024, "hop_length": win // 2, "win_length": win, "n_bands": 64}
    expected = gammatone_spectrogram(y, sr, **kwargs)
    actual = ops.convert_to_numpy(GammatoneSpectrogram(sample_rate=sr, **kwargs)(y[None]))[0]
    assert actual.shape == expected.shape == (64, 1 + len(y) // (win // 2))
    loud = expected > expected.max() - 80
    np.testing.assert_allclose(actual[loud], expected[loud], atol=0.02)


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="fmax"):
        GammatoneSpectrogram(sample_rate=16000, fmax=12000)

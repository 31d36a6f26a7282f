import os

import numpy as np
import pytest
from keras import ops

from kgenre.audio import LogMelSpectrogram, load, log_mel_spectrogram
from kgenre.testing.test_case import run_layer_test


def test_layer_contract():
    run_layer_test(
        LogMelSpectrogram,
        {"sample_rate": 16000, "n_fft": 512, "hop_length": 256, "n_mels": 40},
        input_shape=(2, 4096),
        expected_output_shape=(2, 40, 17),
        symbolic_input_shape=(None,),
        expected_symbolic_shape=(None, 40, None),
        expect_trainable_weights=False,
        run_training=False,
        saving_atol=1e-4,
    )


@pytest.mark.parametrize("win_length", [None, 640])
def test_matches_offline_function(shared_audio_dir, win_length):
    y, sr = load(os.path.join(shared_audio_dir, "sorohan_solo_trumpet.ogg"), 16000)
    y = y[: 3 * sr]
    kwargs = {"n_fft": 1024, "hop_length": 320, "win_length": win_length, "n_mels": 64}
    expected = log_mel_spectrogram(y, sr, **kwargs)
    actual = ops.convert_to_numpy(LogMelSpectrogram(sample_rate=sr, **kwargs)(y[None]))[0]
    assert actual.shape == expected.shape
    loud = expected > expected.max() - 80  # float32 STFTs differ in the near-silent bins
    np.testing.assert_allclose(actual[loud], expected[loud], atol=0.02)


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="hop_length"):
        LogMelSpectrogram(hop_length=0)
    with pytest.raises(ValueError, match="win_length"):
        LogMelSpectrogram(n_fft=512, win_length=1024)

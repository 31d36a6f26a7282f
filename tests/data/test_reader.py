import numpy as np
import pytest
import soundfile

from kgenre.audio import log_mel_spectrogram
from kgenre.data import make_dataset, write_records
from kgenre.datasets import Track


@pytest.fixture
def records(tmp_path, make_tracks):
    tracks, signals = make_tracks([4.0, 5.0, 6.0, 4.5], stems=("bass", "drums", "other"))
    write_records(
        tracks,
        tmp_path / "rec",
        sample_rate=16000,
        stems=("bass", "drums", "other"),
        features={"energy": (_frame_energy, 400)},
        tracks_per_shard=2,
        progress=False,
    )
    return tmp_path / "rec", signals


def _frame_energy(y, sample_rate):
    frames = 1 + len(y) // 400
    padded = np.pad(y, (0, frames * 400 - len(y)))
    return (padded.reshape(frames, 400) ** 2).mean(axis=1)[None, :]


def _all(ds):
    return [tuple(t.numpy() for t in batch) for batch in ds]


def _locate(clip, signals):
    """(track, offset, gain) of the signal window that `clip` is a scaled copy of, or None."""
    n = len(clip)
    for track, s in enumerate(signals):
        s = s / 32768.0
        with np.errstate(divide="ignore", invalid="ignore"):
            r0 = clip[0] / s[: len(s) - n + 1]
            r1 = clip[1] / s[1 : len(s) - n + 2]
        for offset in np.flatnonzero(np.abs(r0 - r1) < 1e-4 * np.abs(r0)):
            gain = r0[offset]
            if np.allclose(clip, gain * s[offset : offset + n], atol=1e-6):
                return track, int(offset), float(gain)
    return None


def test_training_draws_k_random_clips_per_track_each_epoch(records):
    path, signals = records
    ds = make_dataset(
        path, "train", clip_seconds=1.0, clips_per_track=4, batch_size=3, augment=False
    )
    first, second = _all(ds), _all(ds)
    # 4 tracks x 4 clips = 16 clips; 5 full batches of 3, the remainder dropped.
    assert int(ds.cardinality()) == len(first) == 5
    assert all(x.shape == (3, 16000) for x, _ in first)
    assert np.concatenate([y for _, y in first]).dtype == np.int32
    for x, y in first[:2]:
        for clip, label in zip(x, y):
            track, _, gain = _locate(clip, signals)  # a real clip of a track, unscaled
            assert gain == pytest.approx(1.0) and label == track % 2
    flat = lambda batches: np.concatenate([x for x, _ in batches])  # noqa: E731
    assert not np.array_equal(flat(first), flat(second))  # new positions every epoch


def test_gain_augmentation(records):
    path, signals = records
    ds = make_dataset(
        path, "train", clip_seconds=1.0, clips_per_track=2, batch_size=8, noise_stddev=0.0
    )
    x, _ = next(iter(ds))
    gains = [_locate(clip, signals)[2] for clip in x.numpy()]
    assert all(0.9 <= g <= 1.1 for g in gains) and np.std(gains) > 1e-3


def test_noise_augmentation(tmp_path):
    silent = tmp_path / "silent.wav"
    soundfile.write(silent, np.zeros(32000, np.int16), 16000)
    write_records(
        [Track(str(silent), "a", "s")], tmp_path / "rec", skip_silent=False, progress=False
    )
    kwargs = {"clip_seconds": 1.0, "clips_per_track": 4, "batch_size": 4}
    x = next(iter(make_dataset(tmp_path / "rec", "train", noise_stddev=0.01, **kwargs)))[0]
    assert np.std(x.numpy()) == pytest.approx(0.01, rel=0.05)
    x = next(iter(make_dataset(tmp_path / "rec", "train", noise_stddev=0.0, **kwargs)))[0]
    assert not x.numpy().any()


def test_stacked_stem_log_mels_match_offline_features(records):
    path, signals = records
    ds = make_dataset(
        path,
        "eval",
        clip_seconds=2.0,
        hop_seconds=1.0,
        batch_size=4,
        feature="log_mel",
        stems=("bass", "drums", "other"),
    )
    x, y = next(iter(ds))
    assert x.shape == (4, 128, 1 + 32000 // 512, 3)
    drums = (signals[0] // 3).astype(np.float32)[16000:48000] / 32768.0
    expected = log_mel_spectrogram(drums, 16000)
    np.testing.assert_allclose(x.numpy()[1, :, :, 1], expected, atol=2e-3)
    waves = make_dataset(path, "eval", clip_seconds=2.0, batch_size=4, stems=("bass", "drums"))
    assert next(iter(waves))[0].shape == (4, 32000, 2)


def test_single_log_mel_with_spec_augment(records):
    path, _ = records
    ds = make_dataset(
        path,
        "train",
        clip_seconds=3.0,
        batch_size=4,
        feature="log_mel",
        feature_options={"n_mels": 64},
        spec_augment={"freq_masks": 1, "freq_width": 20, "time_masks": 0},
    )
    x = next(iter(ds))[0].numpy()
    assert x.shape == (4, 64, 94, 1)
    # A masked band is constant (the example mean) along time.
    flat_rows = (np.ptp(x[..., 0], axis=2) == 0).sum(axis=1)
    assert flat_rows.max() > 0 and flat_rows.max() <= 20


def test_precomputed_feature_clips(records):
    path, signals = records
    ds = make_dataset(
        path, "eval", clip_seconds=1.0, batch_size=64, feature="energy", with_track_ids=True
    )
    x, y, ids = next(iter(ds))
    assert x.shape[1:] == (1, 1 + 16000 // 400, 1)
    expected = _frame_energy(signals[1] / 32768.0, 16000)[0]
    second_track = [i for i, t in enumerate(ids.numpy()) if t == b"t1"]
    np.testing.assert_allclose(x.numpy()[second_track[1], 0, :, 0], expected[40:81], rtol=1e-5)


def test_errors(records, tmp_path):
    path, _ = records
    with pytest.raises(FileNotFoundError, match="manifest"):
        make_dataset(tmp_path / "nothing")
    with pytest.raises(ValueError, match="mode"):
        make_dataset(path, "test")
    with pytest.raises(ValueError, match="unknown feature 'mfcc'"):
        make_dataset(path, feature="mfcc")
    with pytest.raises(ValueError, match="vocals"):
        make_dataset(path, stems=("vocals",))
    with pytest.raises(ValueError, match="n_bins"):
        make_dataset(path, feature="log_mel", feature_options={"n_bins": 3})


def test_short_tracks_give_one_padded_clip_and_cache_repeat_work(tmp_path, make_tracks):
    tracks, signals = make_tracks([0.5, 2.0])
    write_records(tracks, tmp_path / "rec", sample_rate=16000, min_seconds=None, progress=False)
    with pytest.warns(UserWarning, match="1 of 2 tracks .* shorter than one clip"):
        ds = make_dataset(tmp_path / "rec", "eval", clip_seconds=1.0, batch_size=8, cache=True)
    x = np.concatenate([b[0].numpy() for b in ds])
    assert x.shape == (3, 16000)
    np.testing.assert_array_equal(np.round(x[0, :8000] * 32768), signals[0])
    assert not x[0, 8000:].any()
    endless = make_dataset(tmp_path / "rec", "train", clip_seconds=0.5, batch_size=8, repeat=True)
    assert int(endless.cardinality()) == -1  # tf.data.INFINITE_CARDINALITY
    assert len(list(endless.take(3))) == 3


def test_pipeline_log_mel_is_the_keras_layer_and_the_numpy_function(records):
    # One definition (kgenre.audio.features.filterbank_spectrogram) run three ways.
    import keras

    from kgenre.audio import LogMelSpectrogram

    path, _ = records
    options = {"n_fft": 512, "hop_length": 160, "win_length": 400, "n_mels": 40, "fmin": 30.0}
    common = {"mode": "eval", "clip_seconds": 1.0, "batch_size": 4}
    waves = next(iter(make_dataset(path, **common)))[0].numpy()
    mels = next(iter(make_dataset(path, feature="log_mel", feature_options=options, **common)))
    pipeline = mels[0].numpy()[..., 0]
    layer = keras.ops.convert_to_numpy(LogMelSpectrogram(sample_rate=16000, **options)(waves))
    offline = log_mel_spectrogram(waves, 16000, **options)
    assert pipeline.shape == layer.shape == offline.shape == (4, 40, 101)
    np.testing.assert_allclose(pipeline, layer, atol=2e-3)
    np.testing.assert_allclose(pipeline, offline, atol=2e-3)

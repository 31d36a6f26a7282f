import hashlib
import importlib
import math
import os
import runpy

import librosa
import numpy as np
import pytest
import soundfile as sf

from kgenre.datasets.synthetic import FAMILIES, STEMS, default_output_dir, render, synthetic
from kgenre.datasets.track import Track

# the module itself (the package may export the function under the same name)
synthetic_module = importlib.import_module("kgenre.datasets.synthetic")
RECIPE = os.path.join(os.path.dirname(__file__), "..", "..", "recipes", "synthetic_preview.py")


def test_families_have_the_promised_genres():
    assert set(FAMILIES["gtzan"]) == {
        "blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae", "rock"
    }  # fmt: skip
    assert len(FAMILIES["edm"]) >= 6
    assert {"techno", "house", "trance", "drum_and_bass", "dubstep", "trap"} <= set(FAMILIES["edm"])


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_every_genre_renders_four_stems_that_sum_to_the_mix(family):
    for genre in FAMILIES[family]:
        mix, stems = render(family, genre, 0, seconds=1.5, sample_rate=16000)
        assert mix.dtype == np.float32 and mix.shape == (24000,)
        assert sorted(stems) == sorted(STEMS)
        total = stems["bass"] + stems["drums"] + stems["other"] + stems["vocals"]
        np.testing.assert_array_equal(mix, total)
        assert np.all(np.isfinite(mix)) and 0.0 < np.max(np.abs(mix)) <= 0.98 + 1e-6
        # an instrument plays (not only noise or vocals), even in a short excerpt
        assert max(np.sqrt(np.mean(stems[k] ** 2)) for k in ("bass", "drums", "other")) > 0.01


def test_render_is_deterministic_by_seed_and_index():
    mix, stems = render("edm", "house", 3, seconds=2.0)
    again, stems_again = render("edm", "house", 3, seconds=2.0)
    np.testing.assert_array_equal(mix, again)
    for name in STEMS:
        np.testing.assert_array_equal(stems[name], stems_again[name])
    other_seed, _ = render("edm", "house", 3, seconds=2.0, seed=1)
    other_index, _ = render("edm", "house", 4, seconds=2.0)
    assert not np.allclose(mix, other_seed)
    assert not np.allclose(mix, other_index)


def test_synthetic_writes_mix_and_stems_and_returns_tracks(tmp_path):
    tracks = synthetic(
        tmp_path / "corpus",
        family="edm",
        tracks_per_genre=2,
        seconds=2.0,
        genres=["trap", "techno"],
    )
    assert [t.track_id for t in tracks] == [
        "trap.00000",
        "trap.00001",
        "techno.00000",
        "techno.00001",
    ]
    assert [t.label for t in tracks] == ["trap", "trap", "techno", "techno"]
    assert all(isinstance(t, Track) and t.group == f"{t.label}.artist000" for t in tracks)
    for track in tracks:
        assert track.path == os.path.join(tmp_path / "corpus", track.label, f"{track.track_id}.wav")
        assert sorted(track.stems) == sorted(STEMS)
        info = sf.info(track.path)
        assert (info.samplerate, info.channels, info.frames, info.subtype) == (
            22050,
            1,
            44100,
            "PCM_16",
        )
        mix, _ = sf.read(track.path, dtype="float32")
        stems = {name: sf.read(path, dtype="float32")[0] for name, path in track.stems.items()}
        assert os.path.dirname(track.stems["bass"]) == track.path[: -len(".wav")] + ".stems"
        # documented: five independently rounded 16-bit files -> at most 2.5 LSB apart
        assert np.max(np.abs(mix - sum(stems.values()))) <= 2.5 / 32768 + 1e-7
        index = int(track.track_id.split(".")[1])
        expected, _ = render("edm", track.label, index, seconds=2.0)
        assert np.max(np.abs(mix - expected)) <= 0.5 / 32768 + 1e-7
    assert not [f for _, _, files in os.walk(tmp_path) for f in files if f.startswith(".tmp-")]


def test_second_call_reuses_files_and_more_tracks_render_only_new_ones(tmp_path, monkeypatch):
    out = tmp_path / "corpus"
    tracks = synthetic(
        out, family="gtzan", tracks_per_genre=1, seconds=1.0, genres=["jazz", "metal"]
    )
    mtimes = {p: os.stat(p).st_mtime_ns for t in tracks for p in (t.path, *t.stems.values())}

    calls = []
    real_render = synthetic_module.render

    def counting_render(*args, **kwargs):
        calls.append(args[:3])
        return real_render(*args, **kwargs)

    monkeypatch.setattr(synthetic_module, "render", counting_render)
    again = synthetic(
        out, family="gtzan", tracks_per_genre=1, seconds=1.0, genres=["jazz", "metal"]
    )
    assert again == tracks and calls == []
    assert {p: os.stat(p).st_mtime_ns for p in mtimes} == mtimes

    more = synthetic(out, family="gtzan", tracks_per_genre=2, seconds=1.0, genres=["jazz", "metal"])
    assert len(more) == 4
    assert sorted(calls) == [("gtzan", "jazz", 1), ("gtzan", "metal", 1)]
    assert {p: os.stat(p).st_mtime_ns for p in mtimes} == mtimes


def test_an_interrupted_track_is_rendered_again_identically(tmp_path, monkeypatch):
    out = tmp_path / "corpus"
    (track,) = synthetic(out, family="edm", tracks_per_genre=1, seconds=1.0, genres=["dubstep"])
    original, _ = sf.read(track.stems["drums"], dtype="int16")
    os.remove(track.stems["drums"])
    calls = []
    real_render = synthetic_module.render
    monkeypatch.setattr(
        synthetic_module, "render", lambda *a, **k: calls.append(a) or real_render(*a, **k)
    )
    synthetic(out, family="edm", tracks_per_genre=1, seconds=1.0, genres=["dubstep"])
    assert len(calls) == 1
    np.testing.assert_array_equal(sf.read(track.stems["drums"], dtype="int16")[0], original)


def test_a_folder_holds_one_setting(tmp_path):
    out = tmp_path / "corpus"
    synthetic(out, family="edm", tracks_per_genre=1, seconds=1.0, genres=["house"])
    with pytest.raises(ValueError, match="different|rendered with"):
        synthetic(out, family="edm", tracks_per_genre=1, seconds=2.0, genres=["house"])
    with pytest.raises(ValueError, match="rendered with"):
        synthetic(out, family="gtzan", tracks_per_genre=1, seconds=1.0, genres=["pop"])


def test_default_output_dir_is_under_the_cache_and_keyed_by_settings(tmp_path, monkeypatch):
    monkeypatch.delenv("KGENRE_SYNTHETIC_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    expected_root = os.path.join(str(tmp_path / "xdg"), "kgenre", "synthetic")
    assert default_output_dir("gtzan").startswith(os.path.join(expected_root, "gtzan-"))
    monkeypatch.setenv("KGENRE_SYNTHETIC_CACHE", str(tmp_path))
    a = default_output_dir("edm", 10.0, 22050, 0)
    assert a.startswith(os.path.join(str(tmp_path), "edm-"))
    assert a == default_output_dir("edm", 10.0, 22050, 0)
    assert a != default_output_dir("edm", 10.0, 22050, 1)
    assert a != default_output_dir("edm", 5.0, 22050, 0)
    tracks = synthetic(
        family="edm", tracks_per_genre=1, seconds=1.0, genres=["trance"], progress=False
    )
    assert tracks[0].path.startswith(default_output_dir("edm", 1.0, 22050, 0))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"family": "polka"}, "family"),
        ({"tracks_per_genre": 0}, "tracks_per_genre"),
        ({"tracks_per_genre": 2.5}, "tracks_per_genre"),
        ({"tracks_per_genre": True}, "tracks_per_genre"),
        ({"seconds": 0}, "seconds"),
        ({"seconds": math.nan}, "seconds"),
        ({"seconds": "10"}, "seconds"),
        ({"sample_rate": 100}, "sample_rate"),
        ({"sample_rate": 22050.5}, "sample_rate"),
        ({"seed": -1}, "seed"),
        ({"genres": ["polka"]}, "polka"),
        ({"genres": []}, "genres"),
        ({"genres": "techno"}, "genres"),
        ({"genres": ["techno", "techno"]}, "repeat"),
        ({"family": "gtzan", "genres": ["techno"]}, "techno"),
    ],
)
def test_bad_arguments_raise_value_error(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        synthetic(tmp_path / "corpus", **kwargs)
    assert not (tmp_path / "corpus").exists()


def test_bad_render_index_raises_value_error():
    with pytest.raises(ValueError, match="index"):
        render("edm", "techno", -1)
    with pytest.raises(ValueError, match="unknown genres"):
        render("edm", "jazz", 0)


def _flatness(y):
    return float(np.mean(librosa.feature.spectral_flatness(y=y, n_fft=1024, hop_length=512)))


def test_contrasting_genres_differ_in_timbre_and_drums():
    metal = [render("gtzan", "metal", i, seconds=2.0) for i in range(3)]
    classical = [render("gtzan", "classical", i, seconds=2.0) for i in range(3)]
    # distorted guitars and cymbals are noise-like; strings and piano are tonal
    assert min(_flatness(m) for m, _ in metal) > max(_flatness(m) for m, _ in classical)
    # an orchestra has no drum kit
    assert all(not np.any(s["drums"]) for _, s in classical)
    assert all(np.sqrt(np.mean(s["drums"] ** 2)) > 0.01 for _, s in metal)


def test_tracks_of_a_genre_are_closer_to_each_other_than_to_other_genres():
    genres = FAMILIES["edm"]
    features = {
        g: [
            librosa.feature.mfcc(y=render("edm", g, i, seconds=3.0)[0], sr=22050, n_mfcc=13).mean(1)
            for i in (0, 5, 10)  # three different synthetic artists
        ]
        for g in genres
    }
    within, between = [], []
    for g in genres:
        for h in genres:
            for i, x in enumerate(features[g]):
                for j, y in enumerate(features[h]):
                    if g == h and i < j:
                        within.append(np.linalg.norm(x - y))
                    elif g < h:
                        between.append(np.linalg.norm(x - y))
    assert np.mean(within) < np.mean(between)


def test_preview_recipe_smoke(tmp_path):
    recipe = runpy.run_path(RECIPE)
    recipe["main"](["--smoke", "--family", "edm", "--out", str(tmp_path)])
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs == sorted(f"edm_{g}.png" for g in FAMILIES["edm"])
    assert len(list(tmp_path.glob("*.wav"))) == len(FAMILIES["edm"])


# sha256 of (mix, bass, drums, other, vocals) as little-endian float32, rendered on the
# development machine (numpy 2.4, scipy 1.17). Pins the synthesiser's output, so that a change
# of its code that is meant to keep the sound (a refactor) provably does. A change that is meant
# to alter the sound bumps `RENDER_VERSION` and re-pins these. Other numpy/scipy builds may
# differ in the last bits of a filter or FFT; a failure there is not a refactoring error.
PINNED_RENDERS = {
    # (family, genre, index, seconds, sample_rate, seed): sha256
    ("edm", "techno", 0, 1.5, 16000, 3): "3b7113a6ba155e3fcaaee7af5ee40f33a6c7f3080df95f96b0e6e6d8ab872583",
    ("edm", "house", 3, 1.5, 16000, 3): "20ef57e18dc150002dec052b87a88f66b15871cdbd3cf35d769deb78592e1af1",
    ("edm", "trance", 6, 1.5, 16000, 3): "1c3b960c159fffadf7a8f4445d0e4eed5ef548e4d74bb912b2a35df978911b1a",
    ("edm", "drum_and_bass", 1, 1.5, 16000, 3): "8c81a41ef7fc13ace5724b44cdc9e9612dac609f9a0299bf439338adddc144fa",
    ("edm", "dubstep", 4, 1.5, 16000, 3): "3a1e67d8b12d8f3a4b12b56d146009afa26ae6633095f1d2f02b67aa1f1c56bd",
    ("edm", "trap", 7, 1.5, 16000, 3): "e7e6db65d010b88bbb3e9aea09e32a2160d1a30f9b59251df401f20093776873",
    ("gtzan", "blues", 0, 1.5, 16000, 3): "3df1df5e73ca5646cdcc65460f2d9e65268abe0cdfaf96ee97025803002fe970",
    ("gtzan", "classical", 3, 1.5, 16000, 3): "08c8065482aee756178eb1ad99cf12a9eaa107573c2d8b4a4c53e21b7ac28090",
    ("gtzan", "country", 6, 1.5, 16000, 3): "736f4cbaa21ed77f263a24fa24567fcd6576654503a656e2a68e3f90607decaf",
    ("gtzan", "disco", 1, 1.5, 16000, 3): "ba2a32ba78d814dd03728281aa74a2316a698ddf2426b82189ed0862be72a244",
    ("gtzan", "hiphop", 4, 1.5, 16000, 3): "3777efe038612c58c01cad7c8f6cb7b0ba5e953c3218dcc6fd0d4a1fcaf20d98",
    ("gtzan", "jazz", 7, 1.5, 16000, 3): "637c6d4a15c255532fdd1197258adeef0fb4d1825d8310e34d114628d9c25299",
    ("gtzan", "metal", 2, 1.5, 16000, 3): "79a4b3a689da539489e550e1219a80a6133568e075d119616d5d3074d5d7e1c2",
    ("gtzan", "pop", 5, 1.5, 16000, 3): "1749e389dc60c9bf94c87018f287d3f0ed8970f09e7c1ce25e89b46495c93419",
    ("gtzan", "reggae", 0, 1.5, 16000, 3): "63aa3dd62d3ac472270845d43470e13107c4e80c0e12b638aff1438ebea3ed2f",
    ("gtzan", "rock", 3, 1.5, 16000, 3): "54b8c042802c9046be7dc50ff650429fe6219b00b174ca16821484d151459f38",
    # longer tracks: several phrases, so sections drop in and out
    ("edm", "trance", 11, 12.0, 8000, 5): "d06e76a6e7bfa29debc565bd01d206a9dd56763de02953adfcd6e4e50bf8c41f",
    ("gtzan", "classical", 12, 12.0, 8000, 5): "63b6967c318e88d8727604ee29d254c8edc797a5535a70e470a0f8253a1fac4c",
    ("gtzan", "country", 9, 12.0, 8000, 5): "72e2e42d64a4ee3724b0cf96339f98be8ee86fe730a224abe29c665b83fead8e",
}  # fmt: skip


def test_renders_are_pinned():
    changed = []
    for (family, genre, index, seconds, sample_rate, seed), expected in PINNED_RENDERS.items():
        mix, stems = render(family, genre, index, seconds, sample_rate, seed)
        digest = hashlib.sha256()
        for y in (mix, *(stems[name] for name in STEMS)):
            digest.update(np.ascontiguousarray(y, dtype="<f4").tobytes())
        if digest.hexdigest() != expected:
            changed.append((family, genre, index))
    assert not changed, f"the synthesiser's output changed for {changed}"

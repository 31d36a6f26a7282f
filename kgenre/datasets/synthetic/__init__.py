"""A synthetic genre corpus with true stems: kgenre's built-in data when none is given.

`synthetic(...)` renders tracks per genre with a small numpy/scipy synthesiser, writes each mix
and its four true stems (bass, drums, other, vocals) as WAV files, and returns them as
`Track` records. Genres differ the way real ones do (tempo range, rhythm pattern, swing, drum
sounds, bass line, harmony, timbre, instrumentation, effects, vocal style); every track varies
tempo, key, progression, patterns, instruments' tuning, levels, effects, arrangement (sections
drop in and out), recording colour and noise, so related genres overlap and the task is not
trivial. Tracks are grouped by synthetic *artist* (five consecutive tracks share kit tuning,
synth timbres, preferred tempo and mix habits), so grouped splits behave as artist filters do
on real corpora.

Layout on disk (`<genre>.<index:05d>` track ids, as GTZAN names its files)::

    <output_dir>/synthetic.json                      settings the folder was rendered with
    <output_dir>/<genre>/<genre>.00000.wav           the mix
    <output_dir>/<genre>/<genre>.00000.stems/bass.wav
    <output_dir>/<genre>/<genre>.00000.stems/drums.wav
    <output_dir>/<genre>/<genre>.00000.stems/other.wav
    <output_dir>/<genre>/<genre>.00000.stems/vocals.wav

The package: `_genres` holds the genres as typed tables (`_tables.Genre`), `_tables` the
sampler that draws one song from a table, `_render` the renderer from a song to stems, and
`_synth` the voices and effects (numpy and scipy only).

All files are mono 16-bit PCM WAV at `sample_rate` (samples `round(x * 32768)`, so reading them
as float with soundfile gives `x` to within half a step). The mix is the plain sum of the four stems:
the master gain and the recording-colour filters are linear and applied to every stem before
the sum, and there is no limiter, so `mix == bass + drums + other + vocals` exactly in float32
before writing; after 16-bit quantisation of the five files the identity holds to within
2.5 / 32768 per sample. Vocals (and occasionally other stems) may be all zeros for genres or
tracks without them. Noise (tape hiss, vinyl crackle) belongs to the `other` stem.
"""

import hashlib
import json
import math
import os
import tempfile
import zlib

import numpy as np
import soundfile as sf
from tqdm.auto import tqdm

from kgenre._paths import user_cache_dir
from kgenre.datasets.synthetic import _genres, _render, _tables
from kgenre.datasets.track import Track

FAMILIES = {family: tuple(styles) for family, styles in _genres.FAMILIES.items()}
STEMS = _render.STEMS
TRACKS_PER_ARTIST = 5
# Bump when the synthesiser's output changes, so default cache folders are not reused.
RENDER_VERSION = 2
_MANIFEST = "synthetic.json"


def _stream(seed, family, genre, *path):
    # zlib.crc32 is stable across runs, unlike hash() of a str
    key = zlib.crc32(f"{family}/{genre}".encode())
    return np.random.default_rng(np.random.SeedSequence([seed, key, *path]))


def render(family, genre, index, seconds=30.0, sample_rate=22050, seed=0):
    """Renders one track of the corpus in memory.

    The result depends only on the arguments, not on how many other tracks are rendered, so
    corpora of different sizes share their first tracks.

    Args:
        family: `"edm"` or `"gtzan"`.
        genre: a genre of that family (see `FAMILIES`).
        index: track number within the genre (`>= 0`).
        seconds: duration.
        sample_rate: sample rate in Hz.
        seed: corpus seed.

    Returns:
        `(mix, stems)`: the mix, float32 of shape `(round(seconds * sample_rate),)`, and a dict of
        the four stems of the same shape, with `mix == bass + drums + other + vocals` (summed in
        that order, float32).
    """
    _check(family, 1, seconds, sample_rate, seed, [genre])
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or index < 0:
        raise ValueError(f"index must be an integer >= 0, got {index!r}")
    artist = _stream(seed, family, genre, 0, int(index) // TRACKS_PER_ARTIST)
    track = _stream(seed, family, genre, 1, int(index))
    song = _tables.sample_song(_genres.FAMILIES[family][genre], artist, track)
    stems = _render.render_song(song, float(seconds), int(sample_rate), track)
    mix = stems["bass"] + stems["drums"] + stems["other"] + stems["vocals"]
    rms = math.sqrt(float(np.mean(mix.astype(np.float64) ** 2))) + 1e-12
    gain = 10 ** (track.uniform(-20.0, -13.0) / 20) / rms
    peak = max(float(np.max(np.abs(x))) for x in (mix, *stems.values())) * gain
    if peak > 0.98:
        gain *= 0.98 / peak
    stems = {name: (stems[name] * np.float32(gain)).astype(np.float32) for name in STEMS}
    mix = stems["bass"] + stems["drums"] + stems["other"] + stems["vocals"]
    return mix, stems


def _check(family, tracks_per_genre, seconds, sample_rate, seed, genres):
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {sorted(FAMILIES)}, got {family!r}")
    if (
        isinstance(tracks_per_genre, bool)
        or not isinstance(tracks_per_genre, (int, np.integer))
        or tracks_per_genre < 1
    ):
        raise ValueError(f"tracks_per_genre must be an integer >= 1, got {tracks_per_genre!r}")
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, (int, float, np.number))
        or not math.isfinite(seconds)
        or not 0.5 <= seconds <= 600
    ):
        raise ValueError(f"seconds must be a number between 0.5 and 600, got {seconds!r}")
    if (
        isinstance(sample_rate, bool)
        or not isinstance(sample_rate, (int, np.integer))
        or not 8000 <= sample_rate <= 96000
    ):
        raise ValueError(
            f"sample_rate must be an integer between 8000 and 96000, got {sample_rate!r}"
        )
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    if genres is not None:
        if isinstance(genres, str) or len(genres) == 0:
            raise ValueError(f"genres must be a non-empty list of genre names, got {genres!r}")
        unknown = [g for g in genres if g not in FAMILIES[family]]
        if unknown:
            raise ValueError(
                f"unknown genres {unknown} for family {family!r}; choose from {list(FAMILIES[family])}"
            )
        if len(set(genres)) != len(genres):
            raise ValueError(f"genres must not repeat, got {list(genres)}")


def _settings(family, seconds, sample_rate, seed):
    return {
        "family": family,
        "seconds": float(seconds),
        "sample_rate": int(sample_rate),
        "seed": int(seed),
        "render_version": RENDER_VERSION,
    }


def default_output_dir(family="edm", seconds=30.0, sample_rate=22050, seed=0):
    """Cache folder for a corpus: `<root>/<family>-<hash of the settings>`.

    `<root>` is `$KGENRE_SYNTHETIC_CACHE`, else `<user cache>/kgenre/synthetic`, the user cache
    being `$XDG_CACHE_HOME` or `~/.cache` (`%LOCALAPPDATA%` on Windows), as for kgenre's other
    caches.
    """
    root = os.environ.get("KGENRE_SYNTHETIC_CACHE") or os.path.join(user_cache_dir(), "synthetic")
    settings = json.dumps(_settings(family, seconds, sample_rate, seed), sort_keys=True)
    digest = hashlib.sha1(settings.encode()).hexdigest()[:10]
    return os.path.join(root, f"{family}-{digest}")


def _write_atomic(path, data, sample_rate):
    folder = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".wav")
    os.close(fd)
    try:
        # explicit rounding (libsndfile's own float conversion scales by 32767) keeps the
        # documented mix/stems identity within 2.5 LSB after reading back as x / 32768
        pcm = np.clip(np.round(data * 32768.0), -32768, 32767).astype(np.int16)
        sf.write(tmp, pcm, sample_rate, subtype="PCM_16", format="WAV")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _claim_folder(output_dir, settings):
    os.makedirs(output_dir, exist_ok=True)
    manifest = os.path.join(output_dir, _MANIFEST)
    if os.path.exists(manifest):
        with open(manifest) as f:
            found = json.load(f)
        if found != settings:
            raise ValueError(
                f"output_dir {output_dir!r} holds a synthetic corpus rendered with {found}, not "
                f"{settings}; use another folder"
            )
        return
    fd, tmp = tempfile.mkstemp(dir=output_dir, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(settings, f, indent=2, sort_keys=True)
    os.replace(tmp, manifest)


def synthetic(
    output_dir=None,
    family="edm",
    tracks_per_genre=20,
    seconds=30.0,
    sample_rate=22050,
    seed=0,
    genres=None,
    progress=True,
):
    """Renders (or reuses) the synthetic genre corpus and lists its tracks.

    Files already complete in `output_dir` are reused, so a second call with the same settings
    renders nothing, and an interrupted call resumes where it stopped (every file is written to
    a temporary name and renamed; a track counts as done when its mix, written last, exists).
    Track `i` of a genre is the same whatever `tracks_per_genre` or `genres` is, so asking for
    more tracks later only renders the new ones.

    Args:
        output_dir: folder to write to; default `default_output_dir(family, seconds,
            sample_rate, seed)` under the user cache folder. A folder holds one setting of
            family, seconds, sample rate and seed; other settings raise `ValueError`.
        family: `"edm"` (techno, house, trance, drum_and_bass, dubstep, trap: the stems
            recipe's default, six closely related genres as in Mersy, AAAI 2021) or `"gtzan"`
            (the ten GTZAN genres: blues, classical, country, disco, hiphop, jazz, metal, pop,
            reggae, rock).
        tracks_per_genre: tracks rendered per genre.
        seconds: duration of each track.
        sample_rate: sample rate in Hz.
        seed: corpus seed; the same seed gives bit-identical audio (on one platform and set of
            numpy/scipy versions; floating-point libraries may differ in the last bits elsewhere).
        genres: optional subset (and order) of the family's genres.
        progress: show a tqdm progress bar.

    Returns:
        list of `Track` (genre by genre, then by index): `path` of the mix, `label` the genre,
        `track_id` `"<genre>.<index:05d>"`, `group` the synthetic artist
        (`"<genre>.artist<index // 5:03d>"`), `stems` `{"bass", "drums", "other", "vocals"}`
        paths.

    Example:
        >>> tracks = synthetic("/tmp/edm", tracks_per_genre=2, seconds=5.0)  # doctest: +SKIP
        >>> tracks[0].label, sorted(tracks[0].stems)  # doctest: +SKIP
        ('techno', ['bass', 'drums', 'other', 'vocals'])
    """
    _check(family, tracks_per_genre, seconds, sample_rate, seed, genres)
    genres = list(FAMILIES[family]) if genres is None else list(genres)
    settings = _settings(family, seconds, sample_rate, seed)
    if output_dir is None:
        output_dir = default_output_dir(family, seconds, sample_rate, seed)
    output_dir = os.fspath(output_dir)
    _claim_folder(output_dir, settings)

    tracks, todo = [], []
    for genre in genres:
        for index in range(int(tracks_per_genre)):
            track_id = f"{genre}.{index:05d}"
            folder = os.path.join(output_dir, genre)
            stems = {s: os.path.join(folder, f"{track_id}.stems", f"{s}.wav") for s in STEMS}
            track = Track(
                path=os.path.join(folder, f"{track_id}.wav"),
                label=genre,
                track_id=track_id,
                group=f"{genre}.artist{index // TRACKS_PER_ARTIST:03d}",
                stems=stems,
            )
            tracks.append(track)
            if not all(os.path.exists(p) for p in (track.path, *stems.values())):
                todo.append((genre, index, track))

    bar = tqdm(
        todo, desc=f"synthetic {family} corpus", unit="track", disable=not progress or not todo
    )
    for genre, index, track in bar:
        mix, stems = render(family, genre, index, seconds, sample_rate, seed)
        os.makedirs(os.path.dirname(track.stems["bass"]), exist_ok=True)
        for name in STEMS:
            _write_atomic(track.stems[name], stems[name], sample_rate)
        _write_atomic(track.path, mix, sample_rate)
    return tracks

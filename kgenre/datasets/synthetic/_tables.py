"""Typed tables that describe a genre, and the sampler that draws one song from them.

A genre is a `Genre` table: its tempo range, harmony, a `Band` (drum kit and patterns, bass,
accompaniment parts), vocals and mix. A field holds either a constant or a *draw*: `U` (a
uniform number), `Int`, `Pick` (one of several options), `Chance` (one of two, with a
probability), `Sparse` (a random drum pattern) or `Wobble` (a wobble bass's filter).
`sample_song` resolves every draw and returns the song dict that `_render.render_song` plays.

Two random streams feed the draws: the *artist* stream (the sound shared by the five tracks of
one synthetic artist: instruments, drum kit, room) and the *track* stream (the performance).
A draw takes its stream from `by`, else from where it sits: instruments and drum kits draw
from the artist, everything else from the track. Draws are made in a fixed order, which is
part of the corpus: the same seed gives the same audio. Within a table the order is the order
of its fields, and within an `effects` mapping the order of its keys (an effects mapping holds
the bus effects and the reverb send of one part, `reverb`).
"""

import dataclasses
from typing import Any

import numpy as np

ARTIST, TRACK = "artist", "track"
# a machine kit's tuning, drawn once and shared by its hi-hats
TUNE = "<kit tune>"
# a part that plays the bass line's rhythm pattern (metal's chug)
BASS_PATTERN = "<bass pattern>"
# a genre whose noise field is KEEP keeps the recording's noise when its own chance fails
KEEP = "<recording noise>"


class Draw:
    """A random value; `by` names its stream (`ARTIST`, `TRACK`, or None: the context's)."""

    by = None

    def draw(self, rng):
        raise NotImplementedError


@dataclasses.dataclass(frozen=True)
class U(Draw):
    """A uniform number in `[lo, hi)`."""

    lo: float
    hi: float
    by: str | None = None

    def draw(self, rng):
        return float(rng.uniform(self.lo, self.hi))


@dataclasses.dataclass(frozen=True)
class Int(Draw):
    """A uniform integer in `[lo, hi)`."""

    lo: int
    hi: int
    by: str | None = None

    def draw(self, rng):
        return int(rng.integers(self.lo, self.hi))


@dataclasses.dataclass(frozen=True)
class Pick(Draw):
    """One of `options`, equally likely (repeat an option to weigh it); then drawn itself."""

    options: tuple
    by: str | None = None

    def draw(self, rng):
        return self.options[int(rng.integers(len(self.options)))]


@dataclasses.dataclass(frozen=True)
class Chance(Draw):
    """`then` with probability `p`, else `otherwise`; the outcome is then drawn itself."""

    p: float
    then: Any = True
    otherwise: Any = False
    by: str | None = None

    def draw(self, rng):
        return self.then if rng.random() < self.p else self.otherwise


def _tempo(lo, hi, rngs):
    """BPM in `[lo, hi]`: the artist's preferred tempo, varied by each track (sd 10 %)."""
    centre = rngs[ARTIST].uniform(lo, hi)
    return float(np.clip(centre + rngs[TRACK].normal(0.0, 0.1 * (hi - lo)), lo, hi))


@dataclasses.dataclass(frozen=True)
class Sparse(Draw):
    """A random 16-step pattern: each step plays with probability `p`, as one of `hits`."""

    p: float
    hits: str = ".x"
    by: str | None = None

    def draw(self, rng):
        return "".join(
            self.hits[int(rng.integers(len(self.hits)))] if rng.random() < self.p else "."
            for _ in range(16)
        )


@dataclasses.dataclass(frozen=True)
class Wobble(Draw):
    """A wobble bass's LFO filter: `(low Hz, high Hz, [LFO period in steps, per bar])`.

    The four periods (one per bar, cycling) are drawn before the filter range.
    """

    low: U
    high: U
    periods: tuple = (4, 2, 2, 4 / 3, 1, 8 / 3, 8)
    by: str | None = None

    def draw(self, rng):
        periods = [float(rng.choice(self.periods)) for _ in range(4)]
        return (self.low.draw(rng), self.high.draw(rng), periods)


def resolve(value, rngs, by=TRACK):
    """`value` with every draw in it drawn, depth first, in order; tables are sampled."""
    if isinstance(value, Draw):
        stream = value.by or by
        return resolve(value.draw(rngs[stream]), rngs, stream)
    if isinstance(value, _Table):
        return value.sample(rngs, by)
    if isinstance(value, tuple):
        return tuple(resolve(v, rngs, by) for v in value)
    if isinstance(value, list):
        return [resolve(v, rngs, by) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, rngs, by) for k, v in value.items()}
    return value


class _Table:
    """A dataclass whose set fields become the keys of a dict, drawn in field order.

    Fields named in `_artist_fields` draw from the artist stream by default; an `effects`
    field is split into the `bus` dict and the `reverb` send.
    """

    _artist_fields = ()

    def sample(self, rngs, by=TRACK, skip=()):
        out = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is None or field.name in skip:
                continue
            value = resolve(value, rngs, ARTIST if field.name in self._artist_fields else by)
            if field.name == "effects":
                bus = {k: v for k, v in value.items() if k != "reverb"}
                if bus:
                    out["bus"] = bus
                if "reverb" in value:
                    out["reverb"] = value["reverb"]
            else:
                out[field.name] = value
        return out


@dataclasses.dataclass(frozen=True, kw_only=True)
class Instrument(_Table):
    """A note's recipe for `_synth.note`: oscillator layers or FM, envelope, modulation.

    `layers` are `(shape, level, lowpass decay, detune, voices)`; `fm` is `(ratio, index,
    decay)`; `adsr` is `(attack, decay, sustain, release)`; `glide` (s), `vibrato` (Hz,
    semitones) and `bend` (semitones) are optional. Draws come from the artist stream.
    """

    layers: list | None = None
    fm: tuple | None = None
    adsr: tuple
    glide: Any = None
    vibrato: Any = None
    bend: Any = None

    def sample(self, rngs, by=ARTIST):
        return super().sample(rngs, ARTIST)


@dataclasses.dataclass(frozen=True)
class Kit(_Table):
    """A drum kit: `{voice: (sound kind, parameters)}` for `_synth.drum`, from the artist.

    A parameter given as `TUNE` takes the kit's `tune` draw (drawn first).
    """

    voices: dict
    tune: Any = None

    def sample(self, rngs, by=ARTIST):
        tune = resolve(self.tune, rngs, ARTIST)
        kit = {}
        for voice, (kind, params) in self.voices.items():
            params = {k: tune if v == TUNE else v for k, v in params.items()}
            kit[voice] = (kind, resolve(params, rngs, ARTIST))
        return kit


@dataclasses.dataclass(frozen=True)
class VoiceOf(_Table):
    """`{voice: sound}` of another kit, drawn as that whole kit is (its other voices unused)."""

    kit: Kit
    voice: str

    def sample(self, rngs, by=ARTIST):
        return {self.voice: self.kit.sample(rngs)[self.voice]}


@dataclasses.dataclass(frozen=True)
class Beat:
    """One drum voice's 16-step pattern (`X` accent, `x` hit, `g` ghost, `.` rest).

    `voice` may be a draw (which voice plays it) or a tuple of voices with a tuple of
    patterns; the beat plays with probability `chance` (drawn first).
    """

    voice: Any
    pattern: Any
    chance: float = 1.0

    def add_to(self, patterns, rngs):
        if self.chance < 1 and not rngs[TRACK].random() < self.chance:
            return
        voice = resolve(self.voice, rngs)
        pattern = resolve(self.pattern, rngs)
        if isinstance(voice, tuple):
            patterns.update(zip(voice, pattern))
        else:
            patterns[voice] = pattern


@dataclasses.dataclass(frozen=True)
class Drums(_Table):
    """The drum part: patterns, kit, playing habits and mix.

    `swaps` are partial kits (a `Kit`, a `VoiceOf`, or a `Chance` of one) whose voices replace
    or join the kit's, in order: brushes for the snare, a genre's own kick. `ghosts`, `rolls`
    and `drop` are per-hit probabilities, `fills` and `crash` per-phrase ones.
    """

    patterns: tuple
    kit: Any
    swaps: tuple = ()
    ghosts: Any = None
    rolls: Any = None
    drop: Any = None
    fills: Any = None
    crash: Any = None
    effects: dict | None = None
    gains: dict | None = None

    def sample(self, rngs, by=TRACK):
        patterns = {}
        for beat in self.patterns:
            beat.add_to(patterns, rngs)
        kit = resolve(self.kit, rngs, ARTIST)
        for swap in self.swaps:
            kit.update(resolve(swap, rngs) or {})
        rest = super().sample(rngs, by, skip=("patterns", "kit", "swaps"))
        return {"kit": kit, "patterns": patterns, **rest}


@dataclasses.dataclass(frozen=True)
class Bass(_Table):
    """The bass line: a style of `_render.bass_events` (and its rhythm `pattern`, for the
    styles that take one), an instrument and its effects."""

    style: Any
    inst: Any
    pattern: Any = None
    effects: dict | None = None

    _artist_fields = ("inst",)


@dataclasses.dataclass(frozen=True)
class Part(_Table):
    """One accompaniment part (the `other` stem): a style of `_render.part_events`.

    `centre` is the MIDI note it sits around, `db` its level in the part mix; the other
    fields are the style's options (pattern, note length, arpeggio order and rate, motif
    durations, density, bars and scale, rests, strum spread).
    """

    style: Any
    inst: Any
    centre: int = None
    pattern: Any = None
    length: Any = None
    order: Any = None
    rate: Any = None
    durations: tuple | None = None
    density: float | None = None
    motif_bars: Any = None
    scale: str | None = None
    rest_every: int | None = None
    strum: Any = None
    effects: dict | None = None
    db: float = 0.0

    _artist_fields = ("inst",)


@dataclasses.dataclass(frozen=True)
class Vocals:
    """The vocal part: a style of `_render.vocal_events` and a synthetic singer.

    Sung with probability `chance`, in `style` (a draw that may give `None`: no vocals).
    `female` is a bool or a `Chance` (default: the artist's coin). The singer's pitch centre,
    formants, vibrato, breath and reverb are drawn as every singer's are; `settings`, then
    `by_style[style]`, replace some (their draws come first).
    """

    style: Any
    chance: float = 1.0
    female: Any = Chance(0.5, by=ARTIST)
    settings: dict = dataclasses.field(default_factory=dict)
    by_style: dict = dataclasses.field(default_factory=dict)

    def sample(self, rngs, by=TRACK):
        if self.chance < 1 and not rngs[TRACK].random() < self.chance:
            return None
        style = resolve(self.style, rngs)
        if style is None:
            return None
        female = resolve(self.female, rngs)
        settings = resolve({**self.settings, **self.by_style.get(style, {})}, rngs)
        a, t = rngs[ARTIST], rngs[TRACK]
        singer = {
            "style": style,
            "centre": (69 if female else 57) + int(t.integers(-3, 4)),
            "formant_shift": U(1.12, 1.22).draw(a) if female else U(0.92, 1.05).draw(a),
            "vibrato": (U(4.5, 6.5).draw(a), U(0.1, 0.5).draw(a)),
            "breath": U(0.03, 0.15).draw(a),
            "reverb": U(0.1, 0.5).draw(t),
        }
        return {**singer, **settings}


@dataclasses.dataclass(frozen=True)
class Band:
    """What plays: drums (or None), bass, parts (each may be a `Chance` of a part or None),
    and a `fallback` part played when no part was drawn."""

    drums: Any
    bass: Any
    parts: tuple
    fallback: Part | None = None

    def sample(self, rngs):
        drums = resolve(self.drums, rngs)
        bass = resolve(self.bass, rngs)
        parts = []
        for part in self.parts:
            if part is not None and getattr(part, "pattern", None) == BASS_PATTERN:
                part = dataclasses.replace(part, pattern=bass["pattern"])
            part = resolve(part, rngs)
            if part is not None:
                parts.append(part)
        if not parts and self.fallback is not None:
            parts.append(resolve(self.fallback, rngs))
        return drums, bass, parts


# Every track's recording: key, start within the song, room, hiss, filters and bass boost.
RECORDING = {
    "tonic": Int(33, 45),
    "offset_steps": U(0, 64),
    "reverb_rt60": U(0.4, 1.2, ARTIST),
    "reverb_brightness": U(2500, 7000, ARTIST),
    "noise": Chance(0.5, ("hiss", U(-60, -40)), None),
    "master": {
        "lowpass": Chance(0.35, U(5000, 10500), None),
        "highpass": Chance(0.3, U(30, 120), None),
        "bass_boost": Chance(0.25, U(0.2, 1.0), None),
    },
}


@dataclasses.dataclass(frozen=True)
class Genre:
    """A genre: the ranges and choices its tracks are drawn from.

    Args:
        tempo: `(lo, hi)` BPM: the artist's preferred tempo, varied by each track.
        mode: scale mode (see `_render.MODES`), or a draw of one.
        progression: `[(scale degree, chord quality or None), ...]`, or a draw of one.
        band: a `Band`, or a draw of one (an ensemble).
        stem_db: levels of the drums, bass, other and vocals stems in dB, varied per artist
            (sd 2 dB) and per track (sd 1.5 dB).
        swing, swing_unit, jitter: timing feel (see `_render.Grid`).
        bars_per_chord, chord_size: harmony.
        tonic: a draw that replaces the recording's tonic (a genre's own register).
        vocals: `Vocals` or None.
        reverb_rt60: a draw that replaces the recording's room (artist stream).
        noise: a draw of `("hiss" | "vinyl", dB)`, `None` or `KEEP` that replaces the
            recording's noise.
        sidechain: ducking depth of bass and parts under the kick.
        sections: probability that each stem plays a phrase.
    """

    tempo: tuple
    mode: Any
    progression: Any
    band: Any
    stem_db: tuple
    swing: Any = 0.5
    swing_unit: int = 1
    jitter: float = 0.0
    bars_per_chord: Any = 1
    chord_size: Any = 3
    tonic: Any = None
    vocals: Vocals | None = None
    reverb_rt60: Any = None
    noise: Any = KEEP
    sidechain: Any = 0.0
    sections: dict = dataclasses.field(default_factory=dict)


def sample_song(genre: Genre, artist, track) -> dict:
    """Draws one song of `genre` from the `artist` and `track` generators."""
    rngs = {ARTIST: artist, TRACK: track}
    song = {
        "bpm": _tempo(*genre.tempo, rngs),
        "swing": resolve(genre.swing, rngs),
        "swing_unit": genre.swing_unit,
        "jitter": genre.jitter,
        "phrase_bars": 4,
        **resolve(RECORDING, rngs),
    }
    for name in ("mode", "progression", "bars_per_chord", "chord_size", "tonic"):
        value = resolve(getattr(genre, name), rngs)
        if value is not None:
            song[name] = value
    song["drums"], song["bass"], song["parts"] = resolve(genre.band, rngs).sample(rngs)
    song["vocals"] = None if genre.vocals is None else genre.vocals.sample(rngs)
    if genre.reverb_rt60 is not None:
        song["reverb_rt60"] = resolve(genre.reverb_rt60, rngs, ARTIST)
    noise = resolve(genre.noise, rngs)
    if noise != KEEP:
        song["noise"] = noise
    song["sidechain"] = resolve(genre.sidechain, rngs)
    song["stem_db"] = {}
    for stem, level in zip(("drums", "bass", "other", "vocals"), genre.stem_db):
        song["stem_db"][stem] = level + float(artist.normal(0, 2.0) + track.normal(0, 1.5))
    song["sections"] = dict(genre.sections)
    return song

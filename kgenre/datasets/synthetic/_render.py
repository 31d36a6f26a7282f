"""The renderer of the synthetic corpus: a song dict in, four stems out.

`_tables.sample_song` draws a *song* (a plain dict: tempo, swing, key, mode, chord progression,
drum kit and patterns, bass line style, accompaniment parts, vocal style, effects and mix
levels) from a genre's table; `render_song` turns it into four stems (bass, drums, other,
vocals) with the voices and effects of `_synth`, drawing the performance's details (ghost
notes, fills, timing, section changes) from the track's generator.
"""

import numpy as np
from scipy import signal

from kgenre.datasets.synthetic import _synth as syn

STEPS_PER_BAR = 16
STEMS = ("bass", "drums", "other", "vocals")

MODES = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "harmonic_minor": (0, 2, 3, 5, 7, 8, 11),
    "blues": (0, 3, 5, 6, 7, 10),
    "minor_pentatonic": (0, 3, 5, 7, 10),
    "major_pentatonic": (0, 2, 4, 7, 9),
}
_VELOCITY = {"X": 1.0, "x": 0.7, "g": 0.3}


def scale_note(tonic, mode, degree):
    scale = MODES[mode]
    octave, index = divmod(int(degree), len(scale))
    return tonic + 12 * octave + scale[index]


def chord_notes(tonic, mode, degree, size, quality=None):
    """MIDI notes of the chord on scale `degree` (stacked diatonic thirds unless `quality`)."""
    root = scale_note(tonic, mode, degree)
    if quality == "dom7":
        return [root + i for i in (0, 4, 7, 10)[:size]]
    if quality == "power":
        return [root, root + 7, root + 12]
    if quality == "major":
        return [root + i for i in (0, 4, 7, 11)[:size]]
    return [scale_note(tonic, mode, degree + 2 * i) for i in range(size)]


def voice_near(notes, centre):
    """Moves every chord tone to the octave nearest `centre` (a simple close voicing)."""
    return sorted(n + 12 * round((centre - n) / 12) for n in notes)


class Grid:
    """Maps song positions in 16th-note steps to samples, with swing and human timing.

    `swing` is where the off-beat of each pair of `swing_unit`-step notes falls, as a fraction
    of the pair: 0.5 is straight, 2/3 a triplet shuffle.
    """

    def __init__(self, bpm, swing, swing_unit, sr, jitter, rng, offset_steps):
        self.step_seconds = 60.0 / bpm / 4
        self.swing = swing
        self.pair = 2 * swing_unit
        self.sr = sr
        self.jitter = jitter
        self.rng = rng
        self.offset = self._warp(offset_steps)

    def _warp(self, steps):
        pairs, within = divmod(float(steps), self.pair)
        f = within / self.pair
        r = self.swing
        warped = f * (r / 0.5) if f < 0.5 else r + (f - 0.5) * ((1 - r) / 0.5)
        return (pairs + warped) * self.pair * self.step_seconds

    def sample(self, steps, human=True):
        seconds = self._warp(steps) - self.offset
        if human and self.jitter > 0:
            seconds += float(self.rng.normal(0.0, self.jitter))
        return int(round(seconds * self.sr))

    def samples_to_steps(self, n):
        # straight time only (used for LFOs, whose genres are not swung)
        return (np.arange(n) / self.sr + self.offset) / self.step_seconds


# drums ------------------------------------------------------------------------------------


def drum_events(song, n_bars, rng):
    """(voice, step, velocity) hits for every bar, with ghost notes, drops, fills and rolls."""
    d = song["drums"]
    events = []
    phrase = song["phrase_bars"]
    for bar in range(n_bars):
        fill_bar = (
            d.get("fills", 0) > 0 and bar % phrase == phrase - 1 and rng.random() < d["fills"]
        )
        for voice, pattern in d["patterns"].items():
            bars_in_pattern = len(pattern) // STEPS_PER_BAR
            part = pattern[(bar % bars_in_pattern) * 16 : (bar % bars_in_pattern) * 16 + 16]
            for step, char in enumerate(part):
                if fill_bar and step >= 12 and voice != "kick":
                    continue
                velocity = _VELOCITY.get(char, 0.0)
                if velocity == 0.0:
                    if voice in ("snare", "hat") and rng.random() < d.get("ghosts", 0.0):
                        events.append((voice, bar * 16 + step, 0.25 + 0.1 * rng.random()))
                    continue
                if rng.random() < d.get("drop", 0.0) and voice not in ("kick",):
                    continue
                if voice == "hat" and d.get("rolls", 0) > 0 and rng.random() < d["rolls"]:
                    division = int(rng.choice([2, 3, 4]))
                    for k in range(division):
                        events.append(("hat", bar * 16 + step + k / division, velocity * 0.8))
                    continue
                events.append((voice, bar * 16 + step, velocity * (0.9 + 0.2 * rng.random())))
        if fill_bar:
            fill_voice = "tom" if "tom" in d["kit"] and rng.random() < 0.5 else "snare"
            if fill_voice in d["kit"]:
                for step in range(12, 16):
                    if rng.random() < 0.8:
                        events.append((fill_voice, bar * 16 + step, 0.6 + 0.1 * (step - 12)))
        if "crash" in d["kit"] and bar % phrase == 0 and rng.random() < d.get("crash", 0.7):
            events.append(("crash", bar * 16, 0.8))
    return events


# bass lines -------------------------------------------------------------------------------


def _chord_at(song, step):
    per_chord = song["bars_per_chord"] * STEPS_PER_BAR
    degree, quality = song["progression"][int(step // per_chord) % len(song["progression"])]
    return degree, quality


def _bass_root(song, step):
    degree, quality = _chord_at(song, step)
    return chord_notes(song["tonic"], song["mode"], degree, 3, quality)[0] + 12 * song["bass"].get(
        "octave", 0
    )


def bass_events(song, n_bars, rng):
    """(step, length, midi, velocity, glide_from) notes of the bass line."""
    style = song["bass"]["style"]
    events = []
    total = n_bars * STEPS_PER_BAR
    pattern = song["bass"].get("pattern")
    previous = None
    if style in ("offbeat", "rolling", "octave", "root8", "root16", "synco", "hiphop", "reggae"):
        if pattern is None:
            pattern = {
                "offbeat": "..X...X...X...X.",
                "rolling": ".xxx.xxx.xxx.xxx",
                "octave": "XxXxXxXxXxXxXxXx",
                "root8": "X.x.x.x.X.x.x.x.",
                "root16": "xxxxxxxxxxxxxxxx",
            }.get(style) or _random_pattern(
                rng, 0.35 if style != "reggae" else 0.3, first=style != "reggae"
            )
        for bar in range(n_bars):
            for step, char in enumerate(pattern):
                if char == ".":
                    continue
                s = bar * 16 + step
                root = _bass_root(song, s)
                midi = root
                if style == "octave" and step % 2 == 1:
                    midi = root + 12
                elif style in ("synco", "reggae", "hiphop") and rng.random() < 0.3:
                    midi = root + int(rng.choice([7, 12, 10, 3 if "minor" in song["mode"] else 4]))
                length = {"octave": 0.8, "rolling": 0.8, "root16": 0.9}.get(style, 1.5)
                if style in ("hiphop", "reggae"):
                    length = float(rng.choice([1.5, 2.5, 3.5]))
                events.append(
                    (s, length, midi, _VELOCITY[char] if char in _VELOCITY else 0.8, None)
                )
    elif style in ("reese", "wobble", "sustain", "cello"):
        span = {"reese": 8, "wobble": 8, "sustain": 16, "cello": 8}[style]
        for s in range(0, total, span):
            root = _bass_root(song, s)
            if style == "reese" and rng.random() < 0.3:
                root += int(rng.choice([3, 5, 7, -2]))
            events.append((s, span - 0.3, root, 1.0, None))
    elif style == "808":
        hits = [i for i, c in enumerate(song["drums"]["patterns"]["kick"][:16]) if c != "."]
        for bar in range(n_bars):
            for i, step in enumerate(hits):
                s = bar * 16 + step
                nxt = hits[i + 1] if i + 1 < len(hits) else 16
                midi = _bass_root(song, s) + (12 if rng.random() < 0.15 else 0)
                glide = previous if previous is not None and rng.random() < 0.35 else None
                events.append((s, nxt - step - 0.2, midi, 1.0, glide))
                previous = midi
    elif style == "walking":
        for s in range(0, total, 4):
            root = _bass_root(song, s)
            beat = (s // 4) % 4
            if beat == 0:
                midi = root
            elif beat == 3:
                target = _bass_root(song, s + 4)
                midi = target + int(rng.choice([-1, 1, -5, 2]))
            else:
                degree, quality = _chord_at(song, s)
                tones = chord_notes(song["tonic"], song["mode"], degree, 4, quality)
                midi = root + (tones[int(rng.integers(1, 4))] - root) % 12
            events.append((s, 3.6, midi, 0.8 + 0.2 * rng.random(), None))
    elif style == "boogie":
        shape = (0, 4, 7, 9, 10, 9, 7, 4)
        for s in range(0, total, 2):
            root = _bass_root(song, s)
            events.append((s, 1.8, root + shape[(s // 2) % 8], 0.9, None))
    elif style == "root_fifth":
        for s in range(0, total, 8):
            root = _bass_root(song, s)
            events.append((s, 3.5, root, 1.0, None))
            events.append((s + 4, 3.5, root + (7 if rng.random() < 0.8 else -5), 0.8, None))
    else:
        raise ValueError(f"unknown bass style {style!r}")
    return events


def _random_pattern(rng, density, first=True):
    chars = ["X" if rng.random() < density else "." for _ in range(16)]
    chars[0] = "X" if first else "."
    if not first:
        chars[int(rng.choice([2, 3, 6]))] = "X"
    return "".join(chars)


# accompaniment and melodies ---------------------------------------------------------------


def _motif(rng, length_steps, durations, density):
    """A repeated rhythmic/melodic cell: (start, length, scale-degree offset) triples."""
    events = []
    position = 0.0
    degree = int(rng.choice([0, 2, 4]))
    while position < length_steps:
        duration = float(rng.choice(durations))
        if rng.random() < density:
            events.append((position, duration * 0.9, degree))
            degree = int(np.clip(degree + rng.choice([-2, -1, -1, 0, 1, 1, 2, 3]), -3, 9))
        position += duration
    return events


def part_events(song, part, n_bars, rng):
    """(step, length, midi, velocity, strum_index) notes of one accompaniment part."""
    style = part["style"]
    centre = part.get("centre", 64)
    events = []
    total = n_bars * STEPS_PER_BAR
    chord_steps = song["bars_per_chord"] * STEPS_PER_BAR
    size = song["chord_size"]

    def chord(step):
        degree, quality = _chord_at(song, step)
        return voice_near(chord_notes(song["tonic"], song["mode"], degree, size, quality), centre)

    if style == "pad":
        for s in np.arange(0, total, chord_steps):
            for note in chord(s):
                events.append((s, chord_steps - 0.2, note, 0.8, 0))
    elif style in ("stab", "skank", "keys", "comp", "strum", "power", "scratch"):
        pattern = part.get("pattern") or _random_pattern(rng, 0.3)
        length = part.get("length", 1.0)
        for bar in range(n_bars):
            bar_pattern = pattern
            if style == "comp":
                bar_pattern = _random_pattern(rng, 0.2, first=rng.random() < 0.5)
            for step, char in enumerate(bar_pattern):
                if char == ".":
                    continue
                s = bar * 16 + step
                notes = chord(s)
                if style == "comp":
                    notes = notes[1:] if len(notes) > 3 else notes
                if style == "scratch":
                    notes = notes[-2:]
                velocity = _VELOCITY.get(char, 0.8) * (0.85 + 0.3 * rng.random())
                down = style != "strum" or step % 2 == 0
                for i, note in enumerate(notes if down else notes[::-1]):
                    events.append((s, length, note, velocity, i))
    elif style == "arp":
        order = part.get("order", "up")
        rate = part.get("rate", 1)
        for k, s in enumerate(np.arange(0, total, rate)):
            notes = chord(s)
            notes = notes + [n + 12 for n in notes]
            if order == "updown":
                cycle = notes + notes[-2:0:-1]
            elif order == "random":
                cycle = [notes[int(rng.integers(len(notes)))] for _ in range(len(notes))]
            else:
                cycle = notes
            events.append((s, rate * 0.9, cycle[k % len(cycle)], 0.7 + 0.3 * (k % 4 == 0), 0))
    elif style in ("riff", "lead", "acid"):
        durations = part.get("durations", (1, 2, 2, 4))
        motif = _motif(rng, part.get("motif_bars", 1) * 16, durations, part.get("density", 0.7))
        scale = part.get("scale", song["mode"])
        follow = len(MODES[scale]) == 7
        bars = part.get("motif_bars", 1)
        rest_every = part.get("rest_every", 0)
        for bar in range(0, n_bars, bars):
            if rest_every and (bar // bars) % rest_every == rest_every - 1:
                continue
            shift = _chord_at(song, bar * 16)[0] if follow else 0
            base = song["tonic"] + 12 * round((centre - song["tonic"]) / 12)
            for start, length, degree in motif:
                midi = scale_note(base, scale, degree + shift)
                events.append((bar * 16 + start, length, midi, 0.7 + 0.3 * rng.random(), 0))
    else:
        raise ValueError(f"unknown part style {style!r}")
    return events


def vocal_events(song, n_bars, rng):
    """(step, length, midi, vowel, consonant) syllables of the vocal line."""
    v = song["vocals"]
    style = v["style"]
    scale = v.get("scale", song["mode"])
    follow = len(MODES[scale]) == 7
    centre = v["centre"]
    events = []
    vowels = v.get("vowels", "aeiou")
    if style in ("sing", "growl", "scat", "chop"):
        durations = {
            "sing": (2, 2, 3, 4, 6),
            "growl": (2, 4, 4, 8),
            "scat": (1, 2, 2, 3),
            "chop": (1, 1, 2),
        }[style]
        density = {"sing": 0.85, "growl": 0.8, "scat": 0.8, "chop": 0.35}[style]
        phrase_bars = 2 if style != "chop" else 1
        motif = _motif(rng, phrase_bars * 16, durations, density)
        for bar in range(0, n_bars, phrase_bars):
            if style != "chop" and (bar // phrase_bars) % 2 == 1 and rng.random() < 0.6:
                continue
            shift = _chord_at(song, bar * 16)[0] if follow else 0
            base = song["tonic"] + 12 * round((centre - song["tonic"]) / 12)
            for start, length, degree in motif:
                midi = scale_note(base, scale, degree + shift)
                vowel = vowels[int(rng.integers(len(vowels)))]
                events.append((bar * 16 + start, length, midi, vowel, None))
    elif style == "rap":
        for bar in range(n_bars):
            if rng.random() < 0.15:
                continue
            level = centre + rng.normal(0, 1.0)
            for step in range(16):
                if rng.random() < 0.72:
                    midi = level - 2.0 * step / 16 + rng.normal(0, 0.8)
                    vowel = vowels[int(rng.integers(len(vowels)))]
                    cons = rng.choice(["s", "t", "k", None, None])
                    events.append((bar * 16 + step, 0.75, midi, vowel, cons))
    else:
        raise ValueError(f"unknown vocal style {style!r}")
    return events


# rendering --------------------------------------------------------------------------------


def _bus(y, bus, sr, grid, rng, lowpass_order=2):
    """Per-part processing: filters, distortion, LFO filter sweeps, echo."""
    if not bus:
        return y
    if bus.get("highpass"):
        y = syn.highpass(y, bus["highpass"], sr)
    if bus.get("drive"):
        y = syn.distort(y / (np.max(np.abs(y)) + 1e-9), bus["drive"])
    if bus.get("wobble"):
        lo, hi, periods = bus["wobble"]
        steps = grid.samples_to_steps(y.shape[0])
        bar_index = np.clip((steps // 16).astype(np.int64), 0, None)
        period = np.asarray(periods)[bar_index % len(periods)]
        lfo = 0.5 - 0.5 * np.cos(2 * np.pi * steps / period)
        y = syn.swept_lowpass(y, lo * (hi / lo) ** lfo, sr, q=4.0)
    if bus.get("sweep"):
        lo, hi, bars = bus["sweep"]
        steps = grid.samples_to_steps(y.shape[0])
        lfo = 0.5 - 0.5 * np.cos(2 * np.pi * steps / (16 * bars))
        y = syn.swept_lowpass(y, lo * (hi / lo) ** lfo, sr, q=5.0, n_bands=8)
    if bus.get("lowpass"):
        y = syn.lowpass(y, bus["lowpass"], sr, order=lowpass_order)
    if bus.get("echo"):
        steps, feedback, wet = bus["echo"]
        delay = int(round(steps * grid.step_seconds * sr))
        y = y + wet * (syn.echo(y, delay, feedback) - y)
    return y


def _active_rms(y, sr):
    frames = y[: y.shape[0] // 1024 * 1024].reshape(-1, 1024)
    if frames.size == 0:
        return 0.0
    energy = np.mean(frames**2, axis=1)
    loud = energy[energy > 1e-5 * energy.max()] if energy.max() > 0 else energy
    return float(np.sqrt(np.mean(loud))) if loud.size else 0.0


def render_song(song, seconds, sr, rng):
    """Renders a song dict (from a style function) to a dict of four float32 stems.

    Returns:
        `{"bass", "drums", "other", "vocals": float32 arrays of round(seconds * sr) samples}`,
        each scaled by its mix level; their plain sum is the mix. A stem the song does not use
        is all zeros.
    """
    n = int(round(seconds * sr))
    grid = Grid(
        song["bpm"],
        song["swing"],
        song["swing_unit"],
        sr,
        song["jitter"],
        rng,
        song["offset_steps"],
    )
    n_bars = int(np.ceil((seconds / grid.step_seconds + song["offset_steps"]) / 16)) + 1
    phrase = song["phrase_bars"]
    n_phrases = n_bars // phrase + 1
    active = {}
    for stem in STEMS:
        p = song["sections"].get(stem, 1.0)
        active[stem] = rng.random(n_phrases) < p
    # every phrase keeps at least one instrument stem playing: no excerpt is just noise
    present = [
        s for s, key in (("other", "parts"), ("drums", "drums"), ("bass", "bass")) if song.get(key)
    ]
    silent = ~np.any([active[s] for s in present], axis=0)
    active[present[0]][silent] = True

    def on(stem, step):
        return bool(active[stem][int(step // (16 * phrase))])

    stems = {s: np.zeros(n, np.float32) for s in STEMS}
    sends = {s: np.zeros(n, np.float32) for s in STEMS}
    kicks = []

    if song.get("drums"):
        d = song["drums"]
        sounds = {
            voice: syn.drum(kind, sr, rng, **params) for voice, (kind, params) in d["kit"].items()
        }
        voice_gain = d.get("gains", {})
        buf = np.zeros(n, np.float32)
        for voice, step, velocity in drum_events(song, n_bars, rng):
            if voice not in sounds or not on("drums", step):
                continue
            start = grid.sample(step)
            syn.place(buf, sounds[voice], start, velocity * voice_gain.get(voice, 1.0))
            if voice == "kick":
                kicks.append(start)
        buf = _bus(buf, d.get("bus"), sr, grid, rng)
        stems["drums"] += buf
        sends["drums"] += d.get("reverb", 0.0) * buf

    if song.get("bass"):
        b = song["bass"]
        buf = np.zeros(n, np.float32)
        cache = {}
        for step, length, midi, velocity, glide in bass_events(song, n_bars, rng):
            if not on("bass", step):
                continue
            start = grid.sample(step)
            gate = max(grid.sample(step + length, human=False) - grid.sample(step, human=False), 32)
            key = (midi, gate, glide)
            if key not in cache:
                cache[key] = syn.note(b["inst"], midi, gate, sr, rng, glide)
            syn.place(buf, cache[key], start, velocity)
        # bass stems carry little above a few kHz (as separated bass stems do): a steeper filter
        buf = _bus(buf, b.get("bus"), sr, grid, rng, lowpass_order=4)
        stems["bass"] += buf
        sends["bass"] += b.get("reverb", 0.0) * buf

    for part in song.get("parts", []):
        buf = np.zeros(n, np.float32)
        strum = part.get("strum", 0.0)
        cache = {}
        for step, length, midi, velocity, index in part_events(song, part, n_bars, rng):
            if not on("other", step):
                continue
            start = grid.sample(step) + int(index * strum * sr)
            gate = max(grid.sample(step + length, human=False) - grid.sample(step, human=False), 32)
            key = (midi, gate)
            # repeated identical notes reuse one render (drum-machine-like parts repeat a lot)
            if key not in cache:
                cache[key] = syn.note(part["inst"], midi, gate, sr, rng)
            syn.place(buf, cache[key], start, velocity)
        buf = _bus(buf, part.get("bus"), sr, grid, rng)
        level = 10 ** (part.get("db", 0.0) / 20) / (_active_rms(buf, sr) + 1e-6)
        stems["other"] += level * buf
        sends["other"] += part.get("reverb", 0.0) * level * buf

    if song.get("vocals"):
        v = song["vocals"]
        buf = np.zeros(n, np.float32)
        previous = None
        consonants = {k: syn.consonant(sr, rng, k) for k in ("s", "t", "k")}
        for step, length, midi, vowel, cons in vocal_events(song, n_bars, rng):
            if not on("vocals", step):
                continue
            start = grid.sample(step)
            gate = max(grid.sample(step + length, human=False) - grid.sample(step, human=False), 32)
            glide = previous if v["style"] == "sing" and rng.random() < 0.3 else None
            y = syn.voice_note(
                midi,
                gate,
                sr,
                rng,
                vowel,
                v["formant_shift"],
                v.get("breath", 0.08),
                v.get("growl", 0.0),
                v.get("vibrato", (5.5, 0.3)),
                glide,
                attack=0.01 if v["style"] in ("rap", "chop") else 0.04,
            )
            syn.place(buf, y, start, 0.8 + 0.2 * rng.random())
            if cons is not None:
                syn.place(buf, consonants[cons], start - consonants[cons].shape[0] // 2, 0.5)
            previous = midi
        buf = _bus(buf, v.get("bus"), sr, grid, rng)
        stems["vocals"] += buf
        sends["vocals"] += v.get("reverb", 0.0) * buf

    if song.get("sidechain", 0) > 0 and kicks:
        duck = np.zeros(n, np.float32)
        release = int(0.6 * grid.step_seconds * 4 * sr)
        shape = np.exp(-np.arange(release) / (release / 4)).astype(np.float32)
        for start in kicks:
            a, b = max(start, 0), min(start + release, n)
            if b > a:
                duck[a:b] = np.maximum(duck[a:b], shape[a - start : b - start])
        gain = 1.0 - song["sidechain"] * duck
        for stem in ("bass", "other"):
            stems[stem] *= gain
            sends[stem] *= gain

    ir = syn.reverb_ir(sr, song["reverb_rt60"], rng, brightness=song.get("reverb_brightness", 5000))
    wet = [stem for stem in STEMS if np.any(sends[stem])]
    if wet:
        # one FFT convolution for every stem with a reverb send (the room is shared)
        tails = signal.fftconvolve(np.stack([sends[s] for s in wet]), ir[None, :], axes=-1)
        for stem, tail in zip(wet, tails):
            stems[stem] += tail[:n].astype(np.float32)

    noise = song.get("noise")
    if noise:
        kind, db = noise
        if kind == "vinyl":
            crackle = np.zeros(n, np.float32)
            clicks = rng.integers(0, n, size=int(seconds * 12))
            crackle[clicks] = rng.standard_normal(clicks.size).astype(np.float32) * 8
            hiss = syn.lowpass(rng.standard_normal(n).astype(np.float32), 4000, sr)
            texture = syn.highpass(crackle, 1000, sr) + 0.3 * hiss
        else:
            texture = syn.lowpass(rng.standard_normal(n).astype(np.float32), 6000, sr, order=1)
        stems["other"] += texture * 10 ** (db / 20) / (_active_rms(texture, sr) + 1e-9)

    for stem in STEMS:
        rms = _active_rms(stems[stem], sr)
        if rms > 0:
            stems[stem] *= 10 ** (song["stem_db"].get(stem, -6.0) / 20) / rms

    # recording colour: the same linear filters on every stem keep the mix the sum of stems
    master = song.get("master", {})
    for stem in STEMS:
        if master.get("lowpass"):
            stems[stem] = syn.lowpass(stems[stem], master["lowpass"], sr)
        if master.get("highpass"):
            stems[stem] = syn.highpass(stems[stem], master["highpass"], sr)
        if master.get("bass_boost"):
            stems[stem] = stems[stem] + master["bass_boost"] * syn.lowpass(stems[stem], 150, sr)
    return stems

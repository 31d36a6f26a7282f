"""The genres of the synthetic corpus: one style function per genre, in two families.

Each function `style(artist, track)` returns a song dict for `_synth_styles.render_song`;
`artist` draws the sound shared by one synthetic artist's tracks, `track` the performance.
Genre ranges (tempo, swing, patterns) are typical production values, widened so that related
genres overlap (house, techno and trance share four-on-the-floor at overlapping tempi; rock and
metal share distorted guitars; blues and jazz share swing).
"""

import numpy as np


def _u(rng, lo, hi):
    return float(rng.uniform(lo, hi))


def _pick(rng, options):
    return options[int(rng.integers(len(options)))]


def _tempo(artist, track, lo, hi):
    centre = artist.uniform(lo, hi)
    return float(np.clip(centre + track.normal(0.0, 0.1 * (hi - lo)), lo, hi))


# instruments --------------------------------------------------------------------------------


def sub(a):
    return {"layers": [("sine", 1.0, None, 0.0, 1)], "adsr": (0.005, 0.2, 0.9, 0.05)}


def bass_808(a):
    return {
        "layers": [("sine", 1.0, None, 0.0, 1), ("triangle", 0.25, 0.15, 0.0, 1)],
        "adsr": (0.002, _u(a, 0.5, 1.5), 0.3, 0.15),
        "glide": _u(a, 0.04, 0.09),
    }


def reese(a):
    return {"layers": [("saw", 1.0, None, _u(a, 0.12, 0.3), 2)], "adsr": (0.01, 1.0, 1.0, 0.05)}


def wobble(a):
    return {
        "layers": [("saw", 1.0, None, _u(a, 0.05, 0.15), 2), ("square", 0.7, None, 0.0, 1)],
        "adsr": (0.005, 1.0, 1.0, 0.03),
    }


def synth_bass(a):
    return {
        "layers": [
            (_pick(a, ["saw", "square"]), 1.0, _u(a, 0.15, 0.5), 0.0, 1),
            ("sine", 0.6, None, 0.0, 1),
        ],
        "adsr": (0.003, 0.3, 0.6, 0.04),
    }


def bass_guitar(a):
    return {
        "layers": [("saw", 0.5, _u(a, 0.2, 0.5), 0.0, 1), ("sine", 1.0, _u(a, 0.8, 1.6), 0.0, 1)],
        "adsr": (0.005, 1.0, 1.0, 0.07),
    }


def upright(a):
    return {
        "layers": [("triangle", 1.0, _u(a, 0.4, 0.8), 0.0, 1), ("sine", 0.8, 1.0, 0.0, 1)],
        "adsr": (0.01, 1.0, 1.0, 0.1),
    }


def cello(a):
    return {
        "layers": [("saw", 1.0, None, 0.06, 2)],
        "adsr": (_u(a, 0.08, 0.2), 1.0, 0.9, 0.3),
        "vibrato": (5.0, 0.12),
    }


def supersaw(a):
    return {
        "layers": [("saw", 1.0, None, _u(a, 0.12, 0.35), _pick(a, [3, 5]))],
        "adsr": (_u(a, 0.1, 0.6), 1.0, 0.85, _u(a, 0.3, 0.8)),
    }


def strings(a):
    return {
        "layers": [("saw", 1.0, None, _u(a, 0.05, 0.12), 3)],
        "adsr": (_u(a, 0.15, 0.4), 1.0, 0.9, 0.4),
        "vibrato": (_u(a, 4.5, 6.0), 0.1),
    }


def piano(a):
    return {
        "layers": [("piano", 1.0, _u(a, 0.3, 0.8), 0.0, 1), ("sine", 0.5, _u(a, 1.2, 2.5), 0.0, 1)],
        "adsr": (0.002, 1.0, 1.0, 0.25),
    }


def epiano(a):
    return {
        "fm": (1.0, _u(a, 1.0, 2.5), _u(a, 0.15, 0.5)),
        "adsr": (0.002, _u(a, 0.8, 1.8), 0.2, 0.3),
    }


def bell(a):
    return {
        "fm": (_pick(a, [3.5, 2.0, 4.0]), _u(a, 2.0, 5.0), _u(a, 0.1, 0.4)),
        "adsr": (0.001, _u(a, 0.4, 1.2), 0.0, 0.4),
    }


def organ(a):
    return {"layers": [("organ", 1.0, None, 0.02, 2)], "adsr": (0.004, 1.0, 1.0, 0.05)}


def pluck_synth(a):
    return {
        "layers": [(_pick(a, ["saw", "square"]), 1.0, _u(a, 0.06, 0.2), _u(a, 0.0, 0.1), 2)],
        "adsr": (0.001, 1.0, 1.0, 0.05),
    }


def stab(a):
    return {
        "layers": [("saw", 1.0, _u(a, 0.1, 0.3), _u(a, 0.05, 0.2), 3)],
        "adsr": (0.002, 1.0, 1.0, 0.06),
    }


def lead(a):
    return {
        "layers": [(_pick(a, ["saw", "square"]), 1.0, None, _u(a, 0.03, 0.12), 3)],
        "adsr": (0.01, 0.3, 0.8, 0.15),
        "vibrato": (5.5, 0.15),
    }


def acid(a):
    return {"layers": [("saw", 1.0, _u(a, 0.15, 0.4), 0.0, 1)], "adsr": (0.002, 1.0, 1.0, 0.03)}


def guitar(a):
    return {
        "layers": [
            ("saw", 0.7, _u(a, 0.08, 0.2), 0.0, 1),
            ("triangle", 0.8, _u(a, 0.5, 1.2), 0.0, 1),
        ],
        "adsr": (0.002, 1.0, 1.0, 0.08),
    }


def dist_guitar(a):
    return {"layers": [("saw", 1.0, None, _u(a, 0.05, 0.12), 2)], "adsr": (0.003, 1.0, 1.0, 0.04)}


def muted_guitar(a):
    return {"layers": [("saw", 1.0, _u(a, 0.03, 0.06), 0.0, 1)], "adsr": (0.001, 1.0, 1.0, 0.02)}


def reed(a):
    return {
        "layers": [("reed", 1.0, None, 0.0, 1)],
        "adsr": (0.03, 0.2, 0.8, 0.1),
        "vibrato": (_u(a, 4.5, 6.0), 0.2),
    }


def twang(a):
    return {
        "layers": [("saw", 0.6, 0.3, 0.0, 1), ("triangle", 0.8, 1.0, 0.0, 1)],
        "adsr": (0.003, 1.0, 1.0, 0.1),
        "bend": _u(a, 0.5, 2.0),
    }


def flute(a):
    return {
        "layers": [("sine", 1.0, None, 0.0, 1), ("triangle", 0.3, None, 0.0, 1)],
        "adsr": (0.06, 0.2, 0.9, 0.15),
        "vibrato": (5.0, 0.15),
    }


def brass(a):
    return {"layers": [("saw", 1.0, None, 0.04, 2)], "adsr": (0.03, 0.15, 0.7, 0.08)}


# drum kits -----------------------------------------------------------------------------------


def machine_kit(a, kick_decay=(0.25, 0.45), kick_low=(42, 55)):
    """A drum-machine kit (909/808-like) with the artist's tuning."""
    tune = _u(a, 0.8, 1.3)
    return {
        "kick": (
            "kick",
            {
                "f_start": _u(a, 120, 220),
                "f_end": _u(a, *kick_low),
                "pitch_decay": _u(a, 0.02, 0.05),
                "decay": _u(a, *kick_decay),
                "click": _u(a, 0.1, 0.5),
                "drive": _u(a, 1.0, 3.0),
            },
        ),
        "clap": ("clap", {"decay": _u(a, 0.08, 0.2), "centre": _u(a, 900, 1600)}),
        "snare": (
            "snare",
            {
                "tone": _u(a, 170, 240),
                "tone_decay": _u(a, 0.03, 0.08),
                "noise_decay": _u(a, 0.08, 0.2),
                "tone_mix": _u(a, 0.2, 0.5),
            },
        ),
        "hat": ("hat", {"decay": _u(a, 0.02, 0.06), "tune": tune, "noise": _u(a, 0.3, 0.7)}),
        "open_hat": (
            "open_hat",
            {"decay": _u(a, 0.1, 0.3), "tune": tune, "noise": _u(a, 0.3, 0.7)},
        ),
        "crash": (
            "crash",
            {"decay": _u(a, 0.6, 1.4), "tune": _u(a, 0.7, 1.0), "noise": 0.6, "cutoff": 5000.0},
        ),
        "rim": ("rim", {"freq": _u(a, 1300, 2200)}),
        "shaker": ("shaker", {"decay": _u(a, 0.03, 0.06)}),
    }


def acoustic_kit(a, brushes=False):
    """An acoustic-like kit: softer kick, ringing toms, ride and crash cymbals."""
    kit = {
        "kick": (
            "kick",
            {
                "f_start": _u(a, 90, 130),
                "f_end": _u(a, 50, 68),
                "pitch_decay": _u(a, 0.015, 0.03),
                "decay": _u(a, 0.12, 0.28),
                "click": _u(a, 0.2, 0.6),
                "drive": _u(a, 0.5, 1.5),
            },
        ),
        "snare": (
            "snare",
            {
                "tone": _u(a, 160, 230),
                "tone_decay": _u(a, 0.05, 0.1),
                "noise_decay": _u(a, 0.12, 0.25),
                "tone_mix": _u(a, 0.35, 0.55),
            },
        ),
        "hat": ("hat", {"decay": _u(a, 0.03, 0.08), "tune": _u(a, 1.0, 1.5), "noise": 0.6}),
        "open_hat": ("open_hat", {"decay": _u(a, 0.2, 0.4), "tune": _u(a, 1.0, 1.5), "noise": 0.6}),
        "ride": (
            "ride",
            {"decay": _u(a, 0.4, 1.1), "tune": _u(a, 1.2, 1.7), "noise": 0.25, "cutoff": 3000.0},
        ),
        "crash": (
            "crash",
            {"decay": _u(a, 1.0, 2.0), "tune": _u(a, 0.8, 1.1), "noise": 0.7, "cutoff": 4000.0},
        ),
        "tom": ("tom", {"freq": _u(a, 90, 150), "decay": _u(a, 0.15, 0.3)}),
        "rim": ("rim", {"freq": _u(a, 1400, 2000)}),
    }
    if brushes:
        kit["snare"] = ("brush", {"decay": _u(a, 0.08, 0.16)})
    return kit


def _base(a, t, bpm, swing=0.5, swing_unit=1, jitter=0.0):
    """Fields every song has, with per-track recording and mix variation."""
    return {
        "bpm": bpm,
        "swing": swing,
        "swing_unit": swing_unit,
        "jitter": jitter,
        "tonic": int(t.integers(33, 45)),
        "bars_per_chord": 1,
        "chord_size": 3,
        "phrase_bars": 4,
        "offset_steps": float(t.uniform(0, 64)),
        "sidechain": 0.0,
        "reverb_rt60": _u(a, 0.4, 1.2),
        "reverb_brightness": _u(a, 2500, 7000),
        "noise": ("hiss", _u(t, -60, -40)) if t.random() < 0.5 else None,
        "master": {
            "lowpass": _u(t, 5000, 10500) if t.random() < 0.35 else None,
            "highpass": _u(t, 30, 120) if t.random() < 0.3 else None,
            "bass_boost": _u(t, 0.2, 1.0) if t.random() < 0.25 else None,
        },
        "sections": {},
        "parts": [],
        "vocals": None,
    }


def _stem_db(a, t, drums, bass, other, vocals):
    jitter = {k: float(a.normal(0, 2.0) + t.normal(0, 1.5)) for k in ("d", "b", "o", "v")}
    return {
        "drums": drums + jitter["d"],
        "bass": bass + jitter["b"],
        "other": other + jitter["o"],
        "vocals": vocals + jitter["v"],
    }


def _vocals(a, t, style, female=None, **extra):
    female = a.random() < 0.5 if female is None else female
    v = {
        "style": style,
        "centre": (69 if female else 57) + int(t.integers(-3, 4)),
        "formant_shift": _u(a, 1.12, 1.22) if female else _u(a, 0.92, 1.05),
        "vibrato": (_u(a, 4.5, 6.5), _u(a, 0.1, 0.5)),
        "breath": _u(a, 0.03, 0.15),
        "reverb": _u(t, 0.1, 0.5),
    }
    v.update(extra)
    return v


FOUR = "X...X...X...X..."
BACKBEAT = "....X.......X..."
OFFBEAT = "..X...X...X...X."
EIGHTHS = "x.x.x.x.x.x.x.x."
SIXTEENTHS = "xgxgxgxgxgxgxgxg"


# EDM family -----------------------------------------------------------------------------------


def techno(a, t):
    s = _base(a, t, _tempo(a, t, 122, 136), swing=_u(t, 0.5, 0.53))
    s["mode"] = _pick(t, ["minor", "phrygian", "dorian", "minor"])
    s["progression"] = _pick(
        t,
        [
            [(0, None)],
            [(0, None)],
            [(0, None), (0, None), (5, None), (6, None)],
            [(0, None), (3, None)],
        ],
    )
    s["chord_size"] = _pick(t, [3, 4])
    patterns = {"kick": FOUR, "open_hat": OFFBEAT}
    if t.random() < 0.6:
        patterns["hat"] = _pick(t, [SIXTEENTHS, EIGHTHS, "xxXxxxXxxxXxxxXx"])
    if t.random() < 0.5:
        patterns["clap"] = BACKBEAT
    if t.random() < 0.6:
        patterns["rim"] = "".join(_pick(t, ".x") if t.random() < 0.4 else "." for _ in range(16))
    s["drums"] = {
        "kit": machine_kit(a, kick_decay=(0.3, 0.55)),
        "patterns": patterns,
        "drop": 0.05,
        "crash": 0.3,
        "reverb": _u(t, 0.05, 0.3),
        "gains": {"rim": 0.4, "hat": 0.5, "open_hat": 0.6},
    }
    s["bass"] = {
        "style": _pick(t, ["offbeat", "rolling", "synco"]),
        "inst": _pick(a, [sub, synth_bass, acid])(a),
        "bus": {"lowpass": _u(a, 300, 900)},
    }
    if t.random() < 0.65:
        s["parts"].append(
            {
                "style": "stab",
                "inst": stab(a),
                "centre": 60,
                "pattern": _pick(t, [OFFBEAT, "...X.....X......", "X..X..X...X....."]),
                "length": 0.5,
                "bus": {"lowpass": _u(t, 1200, 4000), "echo": (3, 0.5, _u(t, 0.3, 0.8))},
                "reverb": _u(t, 0.2, 0.6),
                "db": 0.0,
            }
        )
    if t.random() < 0.5:
        s["parts"].append(
            {
                "style": "acid",
                "inst": acid(a),
                "centre": 48,
                "durations": (1, 1, 1, 2),
                "density": 0.8,
                "bus": {"sweep": (_u(t, 250, 500), _u(t, 1500, 4000), 4), "drive": _u(t, 1.5, 3.0)},
                "reverb": 0.1,
                "db": -2.0,
            }
        )
    if not s["parts"]:
        s["parts"].append(
            {
                "style": "pad",
                "inst": supersaw(a),
                "centre": 62,
                "bus": {"lowpass": _u(t, 800, 2000)},
                "reverb": 0.6,
                "db": -3.0,
            }
        )
    s["vocals"] = _vocals(a, t, "chop", bus={"echo": (3, 0.5, 0.6)}) if t.random() < 0.3 else None
    s["sidechain"] = _u(t, 0.2, 0.6)
    s["stem_db"] = _stem_db(a, t, -14, -19, -21, -22)
    s["sections"] = {"drums": 0.9, "bass": 0.8, "other": 0.85, "vocals": 0.6}
    return s


def house(a, t):
    s = _base(a, t, _tempo(a, t, 116, 128), swing=_u(t, 0.5, 0.6))
    s["mode"] = _pick(t, ["dorian", "minor", "major", "dorian"])
    s["progression"] = _pick(
        t,
        [
            [(0, None), (3, None)],
            [(1, None), (4, None), (0, None), (5, None)],
            [(0, None), (5, None), (3, None), (4, None)],
        ],
    )
    s["chord_size"] = 4
    patterns = {"kick": FOUR, "clap": BACKBEAT, "open_hat": OFFBEAT}
    if t.random() < 0.7:
        patterns["shaker"] = "xxxxxxxxxxxxxxxx"
    if t.random() < 0.4:
        patterns["hat"] = EIGHTHS
    s["drums"] = {
        "kit": machine_kit(a, kick_decay=(0.2, 0.35)),
        "patterns": patterns,
        "drop": 0.05,
        "crash": 0.3,
        "reverb": _u(t, 0.05, 0.3),
        "gains": {"shaker": 0.5, "hat": 0.5, "open_hat": 0.6},
    }
    s["bass"] = {
        "style": _pick(t, ["synco", "offbeat", "synco"]),
        "inst": _pick(a, [synth_bass, sub, bass_guitar])(a),
        "bus": {"lowpass": _u(a, 400, 1200)},
    }
    keys = _pick(a, [piano, organ, epiano, stab])
    s["parts"].append(
        {
            "style": "stab",
            "inst": keys(a),
            "centre": 62,
            "pattern": _pick(
                t, ["X..X..X...X..X..", "..X..X....X..X..", OFFBEAT, "X.....X.....X..."]
            ),
            "length": _u(t, 0.8, 2.5),
            "bus": {"lowpass": _u(t, 2000, 6000)},
            "reverb": _u(t, 0.2, 0.5),
            "db": 0.0,
        }
    )
    if t.random() < 0.4:
        s["parts"].append(
            {
                "style": "pad",
                "inst": strings(a),
                "centre": 66,
                "reverb": 0.5,
                "bus": {"lowpass": 3000},
                "db": -5.0,
            }
        )
    style = _pick(t, ["sing", "sing", "chop", "none"])
    s["vocals"] = None if style == "none" else _vocals(a, t, style, female=t.random() < 0.75)
    s["sidechain"] = _u(t, 0.1, 0.4)
    s["stem_db"] = _stem_db(a, t, -15, -19, -20, -19)
    s["sections"] = {"drums": 0.9, "bass": 0.85, "other": 0.9, "vocals": 0.7}
    return s


def trance(a, t):
    s = _base(a, t, _tempo(a, t, 128, 142))
    s["mode"] = _pick(t, ["minor", "harmonic_minor", "minor"])
    s["progression"] = _pick(
        t,
        [
            [(0, None), (5, None), (2, None), (6, None)],
            [(0, None), (5, None), (6, None), (0, None)],
            [(0, None), (3, None), (5, None), (4, "major")],
        ],
    )
    s["bars_per_chord"] = _pick(t, [1, 2])
    patterns = {"kick": FOUR, "open_hat": OFFBEAT, "hat": _pick(t, [SIXTEENTHS, EIGHTHS])}
    if t.random() < 0.7:
        patterns["clap"] = BACKBEAT
    s["drums"] = {
        "kit": machine_kit(a),
        "patterns": patterns,
        "drop": 0.03,
        "crash": 0.8,
        "reverb": _u(t, 0.1, 0.4),
        "gains": {"hat": 0.5, "open_hat": 0.6},
    }
    s["bass"] = {
        "style": _pick(t, ["rolling", "offbeat"]),
        "inst": _pick(a, [synth_bass, reese])(a),
        "bus": {"lowpass": _u(a, 400, 1000)},
    }
    s["parts"].append(
        {
            "style": "pad",
            "inst": supersaw(a),
            "centre": 64,
            "reverb": _u(t, 0.5, 1.0),
            "bus": {"lowpass": _u(t, 2500, 7000)},
            "db": -2.0,
        }
    )
    if t.random() < 0.8:
        s["parts"].append(
            {
                "style": "arp",
                "inst": pluck_synth(a),
                "centre": 72,
                "order": _pick(t, ["up", "updown", "random"]),
                "rate": _pick(t, [1, 1, 2]),
                "bus": {"echo": (3, 0.45, 0.5)},
                "reverb": 0.5,
                "db": -3.0,
            }
        )
    if t.random() < 0.4:
        s["parts"].append(
            {
                "style": "lead",
                "inst": lead(a),
                "centre": 74,
                "durations": (2, 2, 4, 4),
                "motif_bars": 2,
                "reverb": 0.6,
                "db": -3.0,
            }
        )
    style = _pick(t, ["sing", "chop", "none", "none"])
    s["vocals"] = (
        None if style == "none" else _vocals(a, t, style, female=True, reverb=_u(t, 0.5, 1.0))
    )
    s["reverb_rt60"] = _u(a, 1.5, 2.5)
    s["sidechain"] = _u(t, 0.4, 0.8)
    s["stem_db"] = _stem_db(a, t, -15, -19, -18, -20)
    s["sections"] = {"drums": 0.8, "bass": 0.85, "other": 0.95, "vocals": 0.6}
    return s


def drum_and_bass(a, t):
    s = _base(a, t, _tempo(a, t, 164, 178))
    s["mode"] = _pick(t, ["minor", "dorian"])
    s["progression"] = _pick(
        t,
        [
            [(0, None), (5, None)],
            [(0, None), (3, None)],
            [(0, None), (6, None), (5, None), (6, None)],
        ],
    )
    s["bars_per_chord"] = 2
    s["chord_size"] = _pick(t, [3, 4])
    kick, snare = _pick(
        t,
        [
            ("X.........X.....", BACKBEAT),
            ("X.........X..x..", BACKBEAT),
            ("X.X.......X.....", "....X..g.g..X..g"),
            ("X.........XX....", "....X.......X..."),
        ],
    )
    patterns = {
        "kick": kick,
        "snare": snare,
        "hat": _pick(t, [EIGHTHS, SIXTEENTHS, "x.xxx.xxx.xxx.xx"]),
    }
    if t.random() < 0.4:
        patterns["ride"] = "X...X...X...X..."
    kit = machine_kit(a, kick_decay=(0.15, 0.3), kick_low=(48, 62))
    kit["snare"] = (
        "snare",
        {
            "tone": _u(a, 200, 260),
            "tone_decay": _u(a, 0.03, 0.07),
            "noise_decay": _u(a, 0.1, 0.2),
            "tone_mix": _u(a, 0.3, 0.5),
        },
    )
    kit["ride"] = acoustic_kit(a)["ride"]
    s["drums"] = {
        "kit": kit,
        "patterns": patterns,
        "ghosts": _u(t, 0.0, 0.2),
        "drop": 0.05,
        "fills": 0.4,
        "crash": 0.5,
        "reverb": _u(t, 0.1, 0.3),
        "gains": {"hat": 0.5, "ride": 0.4},
    }
    if t.random() < 0.6:
        s["bass"] = {
            "style": "reese",
            "inst": reese(a),
            "bus": {"lowpass": _u(t, 300, 900), "drive": _u(t, 0, 2.0)},
        }
    else:
        s["bass"] = {"style": "sustain", "inst": sub(a), "bus": {}}
    s["parts"].append(
        {
            "style": "pad",
            "inst": _pick(a, [strings, supersaw, epiano])(a),
            "centre": 64,
            "reverb": _u(t, 0.4, 0.9),
            "bus": {"lowpass": _u(t, 1500, 5000)},
            "db": -2.0,
        }
    )
    if t.random() < 0.3:
        s["parts"].append(
            {
                "style": "stab",
                "inst": stab(a),
                "centre": 60,
                "pattern": "X.....X.........",
                "length": 1.0,
                "reverb": 0.4,
                "db": -3.0,
            }
        )
    style = _pick(t, ["sing", "chop", "none"])
    s["vocals"] = None if style == "none" else _vocals(a, t, style)
    s["sidechain"] = _u(t, 0.0, 0.3)
    s["stem_db"] = _stem_db(a, t, -14, -18, -21, -20)
    s["sections"] = {"drums": 0.85, "bass": 0.85, "other": 0.9, "vocals": 0.6}
    return s


def dubstep(a, t):
    s = _base(a, t, _tempo(a, t, 136, 146))
    s["mode"] = _pick(t, ["minor", "phrygian"])
    s["progression"] = _pick(t, [[(0, None)], [(0, None), (1, None)], [(0, None), (5, None)]])
    s["bars_per_chord"] = 2
    kick = _pick(t, ["X.........X.....", "X.........x..X..", "X......X..X....."])
    patterns = {
        "kick": kick,
        "snare": "........X.......",
        "hat": _pick(t, [EIGHTHS, "x..x..x..x..x.x.", "x.x.x.x.x.x.xxxx"]),
    }
    if t.random() < 0.5:
        patterns["clap"] = "........X......."
    kit = machine_kit(a, kick_decay=(0.25, 0.45))
    kit["snare"] = (
        "snare",
        {
            "tone": _u(a, 170, 220),
            "tone_decay": _u(a, 0.05, 0.1),
            "noise_decay": _u(a, 0.18, 0.3),
            "tone_mix": _u(a, 0.3, 0.5),
        },
    )
    s["drums"] = {
        "kit": kit,
        "patterns": patterns,
        "drop": 0.05,
        "fills": 0.3,
        "crash": 0.6,
        "reverb": _u(t, 0.2, 0.5),
        "gains": {"hat": 0.5},
    }
    periods = [float(t.choice([4, 2, 2, 4 / 3, 1, 8 / 3, 8])) for _ in range(4)]
    s["bass"] = {
        "style": "wobble",
        "inst": wobble(a),
        "bus": {"wobble": (_u(t, 80, 200), _u(t, 1200, 4000), periods), "drive": _u(t, 1.0, 4.0)},
    }
    s["parts"].append(
        {
            "style": "pad",
            "inst": _pick(a, [supersaw, strings])(a),
            "centre": 62,
            "reverb": 0.7,
            "bus": {"lowpass": _u(t, 1000, 3000)},
            "db": -4.0,
        }
    )
    if t.random() < 0.4:
        s["parts"].append(
            {
                "style": "riff",
                "inst": bell(a),
                "centre": 72,
                "density": 0.4,
                "durations": (2, 2, 4),
                "reverb": 0.5,
                "db": -4.0,
            }
        )
    s["vocals"] = _vocals(a, t, "chop", bus={"echo": (3, 0.4, 0.5)}) if t.random() < 0.35 else None
    s["sidechain"] = _u(t, 0.0, 0.3)
    s["stem_db"] = _stem_db(a, t, -15, -16, -22, -21)
    s["sections"] = {"drums": 0.9, "bass": 0.85, "other": 0.8, "vocals": 0.6}
    return s


def trap(a, t):
    s = _base(a, t, _tempo(a, t, 130, 160))
    s["mode"] = _pick(t, ["minor", "harmonic_minor", "phrygian"])
    s["progression"] = _pick(
        t, [[(0, None), (5, None)], [(0, None), (3, None)], [(0, None), (1, None)]]
    )
    s["bars_per_chord"] = 2
    kick = _pick(
        t, ["X......X..X.....", "X.....X...X..X..", "X.........X...X.", "X..X......X....."]
    )
    patterns = {
        "kick": kick,
        "clap": "........X.......",
        "hat": _pick(t, ["xxxxxxxxxxxxxxxx", EIGHTHS]),
    }
    if t.random() < 0.4:
        patterns["open_hat"] = "..............X."
    kit = machine_kit(a, kick_decay=(0.2, 0.4), kick_low=(40, 52))
    s["drums"] = {
        "kit": kit,
        "patterns": patterns,
        "rolls": _u(t, 0.08, 0.25),
        "drop": 0.05,
        "crash": 0.2,
        "reverb": _u(t, 0.05, 0.25),
        "gains": {"hat": 0.45},
    }
    s["bass"] = {
        "style": "808",
        "inst": bass_808(a),
        "bus": {"drive": _u(t, 0.5, 3.0), "lowpass": _u(t, 1500, 4000)},
    }
    s["parts"].append(
        {
            "style": "riff",
            "inst": _pick(a, [bell, pluck_synth, piano])(a),
            "centre": 72,
            "durations": (1, 2, 2, 3),
            "density": 0.6,
            "motif_bars": _pick(t, [1, 2]),
            "reverb": _u(t, 0.3, 0.7),
            "db": 0.0,
        }
    )
    if t.random() < 0.4:
        s["parts"].append(
            {
                "style": "pad",
                "inst": strings(a),
                "centre": 62,
                "reverb": 0.6,
                "bus": {"lowpass": 2500},
                "db": -5.0,
            }
        )
    s["vocals"] = (
        _vocals(a, t, "rap", female=a.random() < 0.2, vibrato=(5.0, 0.0), reverb=0.15)
        if t.random() < 0.7
        else None
    )
    s["stem_db"] = _stem_db(a, t, -16, -15, -21, -18)
    s["sections"] = {"drums": 0.9, "bass": 0.9, "other": 0.9, "vocals": 0.7}
    return s


# GTZAN-like family ------------------------------------------------------------------------


def blues(a, t):
    s = _base(a, t, _tempo(a, t, 66, 124), swing=_u(t, 0.6, 0.7), swing_unit=2, jitter=0.008)
    s["mode"] = "mixolydian"
    s["progression"] = [
        (d, "dom7")
        for d in _pick(
            t, [[0, 0, 0, 0, 3, 3, 0, 0, 4, 3, 0, 4], [0, 3, 0, 0, 3, 3, 0, 0, 4, 3, 0, 4]]
        )
    ]
    s["chord_size"] = 4
    patterns = {
        "kick": "X.......X.......",
        "snare": BACKBEAT,
        _pick(t, ["hat", "ride"]): _pick(t, [EIGHTHS, "x...x.x.x...x.x."]),
    }
    s["drums"] = {
        "kit": acoustic_kit(a, brushes=t.random() < 0.3),
        "patterns": patterns,
        "ghosts": 0.1,
        "fills": 0.3,
        "crash": 0.3,
        "reverb": _u(t, 0.1, 0.3),
        "gains": {"ride": 0.5, "hat": 0.6},
    }
    s["bass"] = {
        "style": _pick(t, ["boogie", "walking", "root_fifth"]),
        "inst": _pick(a, [bass_guitar, upright])(a),
        "bus": {"lowpass": _u(t, 800, 2000)},
    }
    s["parts"].append(
        {
            "style": "riff",
            "inst": _pick(a, [guitar, twang, reed])(a),
            "centre": 64,
            "scale": "blues",
            "durations": (1, 2, 2, 3, 4),
            "density": 0.6,
            "motif_bars": 2,
            "rest_every": 2,
            "bus": {"drive": _u(t, 0, 3.0), "lowpass": _u(t, 2500, 5000)},
            "reverb": _u(t, 0.2, 0.5),
            "db": 0.0,
        }
    )
    if t.random() < 0.6:
        s["parts"].append(
            {
                "style": "comp",
                "inst": _pick(a, [piano, organ])(a),
                "centre": 60,
                "length": _u(t, 1.0, 3.0),
                "reverb": 0.3,
                "db": -4.0,
            }
        )
    s["vocals"] = (
        _vocals(
            a,
            t,
            "sing",
            female=a.random() < 0.3,
            scale="blues",
            vibrato=(_u(a, 4.5, 6.0), _u(a, 0.2, 0.6)),
        )
        if t.random() < 0.75
        else None
    )
    s["noise"] = ("hiss", _u(t, -45, -30)) if t.random() < 0.5 else s["noise"]
    s["stem_db"] = _stem_db(a, t, -19, -19, -18, -18)
    return s


def classical(a, t):
    s = _base(a, t, _tempo(a, t, 56, 116), jitter=0.015)
    s["mode"] = _pick(t, ["major", "major", "harmonic_minor", "minor"])
    s["progression"] = _pick(
        t,
        [
            [(0, None), (3, None), (4, None), (0, None)],
            [(0, None), (5, None), (1, None), (4, None)],
            [
                (0, None),
                (4, None),
                (5, None),
                (2, None),
                (3, None),
                (0, None),
                (3, None),
                (4, None),
            ],
        ],
    )
    s["bars_per_chord"] = _pick(t, [1, 1, 2])
    s["tonic"] = int(t.integers(36, 48))
    s["drums"] = None
    ensemble = _pick(t, ["piano", "strings", "orchestra"])
    s["bass"] = {
        "style": _pick(t, ["cello", "sustain"]),
        "inst": cello(a) if ensemble != "piano" else piano(a),
        "bus": {"lowpass": _u(t, 1200, 3000)},
        "reverb": 0.6,
    }
    if ensemble == "piano":
        s["parts"].append(
            {
                "style": "arp",
                "inst": piano(a),
                "centre": 60,
                "order": _pick(t, ["up", "updown"]),
                "rate": _pick(t, [1, 2]),
                "reverb": 0.5,
                "db": -2.0,
            }
        )
        s["parts"].append(
            {
                "style": "lead",
                "inst": piano(a),
                "centre": 74,
                "durations": (2, 4, 4, 6, 8),
                "motif_bars": 2,
                "reverb": 0.5,
                "db": 0.0,
            }
        )
    else:
        s["parts"].append(
            {
                "style": "pad",
                "inst": strings(a),
                "centre": 62,
                "reverb": 0.8,
                "bus": {"lowpass": _u(t, 2500, 5000)},
                "db": -1.0,
            }
        )
        s["parts"].append(
            {
                "style": "lead",
                "inst": _pick(a, [strings, flute, reed] if ensemble == "orchestra" else [strings])(
                    a
                ),
                "bus": {"lowpass": _u(t, 2500, 5000)},
                "centre": 74,
                "durations": (2, 4, 4, 6, 8),
                "motif_bars": 2,
                "reverb": 0.7,
                "db": 0.0,
            }
        )
        if ensemble == "orchestra" and t.random() < 0.6:
            s["parts"].append(
                {
                    "style": "arp",
                    "inst": _pick(a, [piano, pluck_synth])(a),
                    "centre": 67,
                    "rate": 2,
                    "reverb": 0.6,
                    "db": -5.0,
                }
            )
    s["vocals"] = (
        _vocals(a, t, "sing", female=True, vibrato=(5.5, 0.7), reverb=0.8, vowels="ao")
        if t.random() < 0.12
        else None
    )
    s["reverb_rt60"] = _u(a, 1.5, 2.8)
    s["noise"] = ("hiss", _u(t, -55, -35)) if t.random() < 0.5 else None
    s["stem_db"] = _stem_db(a, t, -30, -21, -16, -18)
    return s


def country(a, t):
    s = _base(a, t, _tempo(a, t, 86, 140), swing=_u(t, 0.5, 0.56), jitter=0.006)
    s["mode"] = _pick(t, ["major", "major", "mixolydian"])
    s["progression"] = _pick(
        t,
        [
            [(0, None), (3, None), (4, None), (0, None)],
            [(0, None), (4, None), (5, None), (3, None)],
            [(0, None), (3, None), (0, None), (4, None)],
        ],
    )
    s["bars_per_chord"] = _pick(t, [1, 2])
    train = t.random() < 0.4
    patterns = {
        "kick": "X.......X.......",
        "snare": "gxgXgxgXgxgXgxgX" if train else BACKBEAT,
        "hat": EIGHTHS,
    }
    s["drums"] = {
        "kit": acoustic_kit(a, brushes=train or t.random() < 0.3),
        "patterns": patterns,
        "fills": 0.3,
        "crash": 0.4,
        "reverb": _u(t, 0.1, 0.3),
        "gains": {"hat": 0.5},
    }
    s["bass"] = {
        "style": "root_fifth",
        "inst": _pick(a, [bass_guitar, upright])(a),
        "bus": {"lowpass": _u(t, 900, 2000)},
    }
    s["parts"].append(
        {
            "style": "strum",
            "inst": guitar(a),
            "centre": 60,
            "pattern": _pick(t, ["X.x.X.x.X.x.X.x.", "X..xX.x.X..xX.x.", "X.x.xx.xX.x.xx.x"]),
            "length": 2.0,
            "strum": _u(t, 0.008, 0.02),
            "reverb": 0.2,
            "db": -1.0,
        }
    )
    s["parts"].append(
        {
            "style": "riff",
            "inst": _pick(a, [twang, strings, twang])(a),
            "centre": 72,
            "scale": "major_pentatonic",
            "durations": (1, 2, 2, 4),
            "density": 0.6,
            "motif_bars": 2,
            "rest_every": 2,
            "reverb": 0.3,
            "db": -3.0,
        }
    )
    s["vocals"] = _vocals(a, t, "sing", scale="major_pentatonic") if t.random() < 0.85 else None
    s["stem_db"] = _stem_db(a, t, -19, -19, -18, -16)
    return s


def disco(a, t):
    s = _base(a, t, _tempo(a, t, 108, 132))
    s["mode"] = _pick(t, ["minor", "dorian", "major"])
    s["progression"] = _pick(
        t,
        [
            [(0, None), (3, None)],
            [(1, None), (4, None)],
            [(0, None), (3, None), (1, None), (4, None)],
        ],
    )
    s["chord_size"] = 4
    patterns = {"kick": FOUR, "snare": BACKBEAT, "open_hat": OFFBEAT, "hat": SIXTEENTHS}
    s["drums"] = {
        "kit": _pick(a, [acoustic_kit, machine_kit])(a),
        "patterns": patterns,
        "fills": 0.2,
        "crash": 0.4,
        "reverb": _u(t, 0.1, 0.3),
        "gains": {"hat": 0.5, "open_hat": 0.6},
    }
    s["bass"] = {
        "style": "octave",
        "inst": _pick(a, [bass_guitar, synth_bass])(a),
        "bus": {"lowpass": _u(t, 900, 2500)},
    }
    s["parts"].append(
        {
            "style": "scratch",
            "inst": muted_guitar(a),
            "centre": 64,
            "pattern": "xxXxxxXxxxXxxxXx",
            "length": 0.5,
            "reverb": 0.1,
            "db": -4.0,
        }
    )
    s["parts"].append(
        {
            "style": _pick(t, ["pad", "stab"]),
            "inst": _pick(a, [strings, brass])(a),
            "centre": 67,
            "pattern": _pick(t, ["X.....X.....X...", "..X...X...X...X."]),
            "length": 2.0,
            "reverb": 0.5,
            "db": -1.0,
        }
    )
    if t.random() < 0.4:
        s["parts"].append(
            {
                "style": "stab",
                "inst": _pick(a, [piano, epiano])(a),
                "centre": 60,
                "pattern": "X..X..X...X..X..",
                "length": 1.5,
                "reverb": 0.3,
                "db": -4.0,
            }
        )
    s["vocals"] = _vocals(a, t, "sing", female=t.random() < 0.7) if t.random() < 0.8 else None
    s["stem_db"] = _stem_db(a, t, -17, -17, -19, -17)
    return s


def hiphop(a, t):
    s = _base(a, t, _tempo(a, t, 78, 102), swing=_u(t, 0.5, 0.62))
    s["mode"] = _pick(t, ["minor", "dorian"])
    s["progression"] = _pick(
        t,
        [
            [(0, None), (3, None)],
            [(0, None), (5, None)],
            [(0, None)],
            [(1, None), (4, None), (0, None), (0, None)],
        ],
    )
    s["chord_size"] = 4
    s["bars_per_chord"] = _pick(t, [1, 2])
    kick = _pick(
        t,
        [
            "X......X..X.....",
            "X.....X...X..X..",
            "X..X......X.X...",
            "X......XX.......",
            "X.X.......X.....",
        ],
    )
    patterns = {
        "kick": kick,
        "snare": BACKBEAT,
        "hat": _pick(t, [EIGHTHS, SIXTEENTHS, "x.xxx.xxx.xxx.xx"]),
    }
    kit = _pick(a, [machine_kit, acoustic_kit])(a)
    s["drums"] = {
        "kit": kit,
        "patterns": patterns,
        "ghosts": 0.05,
        "drop": 0.05,
        "crash": 0.1,
        "bus": {"lowpass": _u(t, 4000, 9000)},
        "reverb": _u(t, 0.05, 0.2),
        "gains": {"hat": 0.5},
    }
    s["bass"] = {
        "style": "hiphop",
        "inst": _pick(a, [sub, bass_guitar, bass_808])(a),
        "bus": {"lowpass": _u(t, 300, 900)},
    }
    s["parts"].append(
        {
            "style": "keys",
            "inst": _pick(a, [epiano, piano, strings, organ])(a),
            "centre": 62,
            "pattern": _pick(t, ["X.........X.....", "X.....X.....X...", "X......X........"]),
            "length": _u(t, 3, 6),
            "bus": {"lowpass": _u(t, 1500, 4000)},
            "reverb": 0.3,
            "db": 0.0,
        }
    )
    s["vocals"] = (
        _vocals(a, t, "rap", female=a.random() < 0.2, vibrato=(5.0, 0.0), reverb=0.1)
        if t.random() < 0.9
        else None
    )
    s["noise"] = ("vinyl", _u(t, -40, -28)) if t.random() < 0.6 else s["noise"]
    s["stem_db"] = _stem_db(a, t, -15, -17, -21, -16)
    return s


def jazz(a, t):
    s = _base(a, t, _tempo(a, t, 96, 220), swing=_u(t, 0.6, 0.68), swing_unit=2, jitter=0.01)
    s["mode"] = _pick(t, ["major", "major", "dorian"])
    s["progression"] = _pick(
        t,
        [
            [(1, None), (4, None), (0, None), (5, None)],
            [(1, None), (4, None), (0, None), (0, None)],
            [(0, None), (5, None), (1, None), (4, None)],
        ],
    )
    s["chord_size"] = _pick(t, [4, 5])
    brushes = t.random() < 0.4
    patterns = {"ride": "X...X.x.X...X.x.", "hat": "....x.......x...", "kick": "g...g...g...g..."}
    s["drums"] = {
        "kit": acoustic_kit(a, brushes=brushes),
        "patterns": patterns,
        "ghosts": 0.15,
        "fills": 0.2,
        "crash": 0.2,
        "reverb": _u(t, 0.2, 0.5),
        "gains": {"kick": 0.6, "ride": 0.4, "hat": 0.5},
    }
    s["bass"] = {"style": "walking", "inst": upright(a), "bus": {"lowpass": _u(t, 700, 1500)}}
    s["parts"].append(
        {
            "style": "comp",
            "inst": _pick(a, [piano, epiano, guitar])(a),
            "centre": 62,
            "length": _u(t, 1.0, 3.0),
            "reverb": 0.4,
            "db": -2.0,
        }
    )
    if t.random() < 0.6:
        s["parts"].append(
            {
                "style": "lead",
                "inst": _pick(a, [reed, brass, flute])(a),
                "centre": 68,
                "durations": (1, 1, 2, 2, 3),
                "density": 0.8,
                "motif_bars": 2,
                "rest_every": 3,
                "bus": {"lowpass": 4000},
                "reverb": 0.4,
                "db": 0.0,
            }
        )
    style = _pick(t, ["sing", "scat", "none", "none", "none"])
    s["vocals"] = (
        None
        if style == "none"
        else _vocals(a, t, style, vowels="aou" if style == "scat" else "aeiou")
    )
    s["noise"] = ("hiss", _u(t, -50, -32)) if t.random() < 0.5 else s["noise"]
    s["stem_db"] = _stem_db(a, t, -22, -19, -17, -17)
    return s


def metal(a, t):
    s = _base(a, t, _tempo(a, t, 96, 200), jitter=0.003)
    s["mode"] = _pick(t, ["phrygian", "minor", "harmonic_minor"])
    s["progression"] = [
        (d, "power") for d in _pick(t, [[0, 1, 0, 5], [0, 0, 6, 5], [0, 5, 6, 0], [0, 1, 2, 1]])
    ]
    s["tonic"] = int(t.integers(28, 40))
    kick = _pick(
        t, ["XXXXXXXXXXXXXXXX", "X.XXX.XXX.XXX.XX", "X.X.X.X.X.X.X.X.", "X..X..X.X..X..X."]
    )
    blast = t.random() < 0.2
    patterns = {
        "kick": kick,
        "snare": ".X.X.X.X.X.X.X.X" if blast else BACKBEAT,
        _pick(t, ["crash", "hat", "ride"]): _pick(t, [EIGHTHS, "X...X...X...X..."]),
    }
    kit = acoustic_kit(a)
    kit["kick"] = (
        "kick",
        {
            "f_start": _u(a, 120, 180),
            "f_end": _u(a, 55, 70),
            "pitch_decay": 0.015,
            "decay": _u(a, 0.08, 0.15),
            "click": _u(a, 0.6, 1.2),
            "drive": 2.0,
        },
    )
    s["drums"] = {
        "kit": kit,
        "patterns": patterns,
        "fills": 0.4,
        "crash": 0.8,
        "reverb": _u(t, 0.1, 0.3),
        "gains": {"crash": 0.4, "hat": 0.6, "ride": 0.5},
    }
    chug = _pick(
        t, ["xxxxxxxxxxxxxxxx", "X.xxX.xxX.xxX.xx", "X.X.X.X.X.X.X.X.", "X..xx..xX..xx..x"]
    )
    s["bass"] = {
        "style": "root16",
        "pattern": chug,
        "inst": bass_guitar(a),
        "bus": {"drive": _u(t, 1.0, 4.0), "lowpass": _u(t, 800, 2000)},
    }
    s["parts"].append(
        {
            "style": "power",
            "inst": dist_guitar(a),
            "centre": 52,
            "pattern": chug,
            "length": _u(t, 0.5, 0.9),
            "bus": {"drive": _u(a, 6, 20), "lowpass": _u(t, 3000, 6000), "highpass": 90},
            "reverb": 0.15,
            "db": 0.0,
        }
    )
    if t.random() < 0.4:
        s["parts"].append(
            {
                "style": "lead",
                "inst": dist_guitar(a),
                "centre": 69,
                "durations": (1, 1, 2, 2, 4),
                "density": 0.8,
                "motif_bars": 2,
                "rest_every": 2,
                "bus": {"drive": 8, "lowpass": 5000},
                "reverb": 0.4,
                "db": -4.0,
            }
        )
    style = _pick(t, ["growl", "growl", "sing", "none"])
    s["vocals"] = (
        None
        if style == "none"
        else _vocals(
            a,
            t,
            style,
            female=False,
            growl=_u(t, 0.4, 1.0) if style == "growl" else 0.0,
            bus={"drive": 2.0} if style == "growl" else {},
        )
    )
    s["stem_db"] = _stem_db(a, t, -17, -19, -15, -18)
    return s


def pop(a, t):
    s = _base(a, t, _tempo(a, t, 88, 128))
    s["mode"] = "major"
    s["progression"] = _pick(
        t,
        [
            [(0, None), (4, None), (5, None), (3, None)],
            [(5, None), (3, None), (0, None), (4, None)],
            [(0, None), (5, None), (3, None), (4, None)],
        ],
    )
    patterns = {
        "kick": _pick(t, ["X.......X.X.....", "X.....X.X.......", FOUR]),
        _pick(t, ["clap", "snare"]): BACKBEAT,
        "hat": _pick(t, [EIGHTHS, SIXTEENTHS]),
    }
    s["drums"] = {
        "kit": _pick(a, [machine_kit, acoustic_kit])(a),
        "patterns": patterns,
        "fills": 0.2,
        "crash": 0.5,
        "reverb": _u(t, 0.1, 0.3),
        "gains": {"hat": 0.5},
    }
    s["bass"] = {
        "style": _pick(t, ["root8", "synco"]),
        "inst": _pick(a, [synth_bass, bass_guitar, sub])(a),
        "bus": {"lowpass": _u(t, 600, 2000)},
    }
    s["parts"].append(
        {
            "style": _pick(t, ["pad", "stab", "strum", "arp"]),
            "inst": _pick(a, [piano, supersaw, guitar, pluck_synth, epiano])(a),
            "centre": 64,
            "pattern": _pick(t, ["X.....X.....X...", "X.x.X.x.X.x.X.x.", "X..X..X.X..X..X."]),
            "length": 2.0,
            "strum": 0.01,
            "rate": 2,
            "reverb": 0.4,
            "db": 0.0,
        }
    )
    if t.random() < 0.4:
        s["parts"].append(
            {
                "style": "pad",
                "inst": _pick(a, [strings, supersaw])(a),
                "centre": 67,
                "reverb": 0.6,
                "bus": {"lowpass": 4000},
                "db": -5.0,
            }
        )
    s["vocals"] = _vocals(a, t, "sing") if t.random() < 0.95 else None
    s["stem_db"] = _stem_db(a, t, -18, -19, -19, -14)
    return s


def reggae(a, t):
    s = _base(a, t, _tempo(a, t, 62, 92), swing=_u(t, 0.52, 0.64), jitter=0.005)
    s["mode"] = _pick(t, ["major", "minor", "dorian"])
    s["progression"] = _pick(
        t,
        [
            [(0, None), (3, None)],
            [(0, None), (6, None)],
            [(0, None), (4, None), (5, None), (3, None)],
            [(0, None), (0, None), (3, None), (4, None)],
        ],
    )
    steppers = t.random() < 0.3
    patterns = {
        "kick": FOUR if steppers else "........X.......",
        "rim": "........X.......",
        "hat": _pick(t, [EIGHTHS, "x.xxx.xxx.xxx.xx"]),
    }
    kit = acoustic_kit(a)
    s["drums"] = {
        "kit": kit,
        "patterns": patterns,
        "ghosts": 0.05,
        "fills": 0.3,
        "crash": 0.2,
        "reverb": _u(t, 0.2, 0.5),
        "gains": {"hat": 0.5, "rim": 0.8},
        "bus": {"echo": (3, 0.3, _u(t, 0.0, 0.4))},
    }
    s["bass"] = {
        "style": "reggae",
        "inst": _pick(a, [bass_guitar, sub])(a),
        "bus": {"lowpass": _u(t, 300, 700)},
    }
    s["parts"].append(
        {
            "style": "skank",
            "inst": _pick(a, [guitar, muted_guitar])(a),
            "centre": 66,
            "pattern": _pick(t, ["....X.......X...", "..X...X...X...X."]),
            "length": 0.6,
            "bus": {"highpass": 300},
            "reverb": _u(t, 0.2, 0.6),
            "db": 0.0,
        }
    )
    if t.random() < 0.7:
        s["parts"].append(
            {
                "style": "skank",
                "inst": organ(a),
                "centre": 60,
                "pattern": _pick(t, [".x.x.x.x.x.x.x.x", "..x...x...x...x.", "....x.......x..."]),
                "length": 0.7,
                "reverb": 0.3,
                "db": -4.0,
            }
        )
    s["vocals"] = _vocals(a, t, "sing", bus={"echo": (6, 0.3, 0.3)}) if t.random() < 0.85 else None
    s["reverb_rt60"] = _u(a, 0.6, 1.6)
    s["stem_db"] = _stem_db(a, t, -18, -14, -19, -16)
    return s


def rock(a, t):
    s = _base(a, t, _tempo(a, t, 96, 156), jitter=0.005)
    s["mode"] = _pick(t, ["major", "mixolydian", "minor"])
    s["progression"] = _pick(
        t,
        [
            [(0, None), (3, None), (4, None), (3, None)],
            [(0, None), (6, None), (3, None), (0, None)],
            [(5, None), (3, None), (0, None), (4, None)],
            [(0, "power"), (3, "power"), (4, "power"), (3, "power")],
        ],
    )
    patterns = {
        "kick": _pick(t, ["X.......X.X.....", "X...X...X...X...", "X.X.....X.X....."]),
        "snare": BACKBEAT,
        _pick(t, ["hat", "ride", "hat"]): EIGHTHS,
    }
    s["drums"] = {
        "kit": acoustic_kit(a),
        "patterns": patterns,
        "fills": 0.4,
        "crash": 0.8,
        "reverb": _u(t, 0.1, 0.3),
        "gains": {"hat": 0.6, "ride": 0.5},
    }
    s["bass"] = {
        "style": "root8",
        "inst": bass_guitar(a),
        "bus": {"lowpass": _u(t, 800, 2000), "drive": _u(t, 0, 1.5)},
    }
    s["parts"].append(
        {
            "style": "power",
            "inst": _pick(a, [dist_guitar, guitar])(a),
            "centre": 57,
            "pattern": _pick(t, ["X.x.x.x.X.x.x.x.", "X.......X.......", "X..x..x.X..x..x."]),
            "length": _u(t, 1.0, 2.0),
            "bus": {"drive": _u(a, 2, 7), "lowpass": _u(t, 3000, 6000), "highpass": 80},
            "reverb": 0.2,
            "db": 0.0,
        }
    )
    if t.random() < 0.4:
        s["parts"].append(
            {
                "style": "riff",
                "inst": guitar(a),
                "centre": 69,
                "scale": "minor_pentatonic",
                "durations": (1, 2, 2, 4),
                "density": 0.7,
                "motif_bars": 2,
                "rest_every": 2,
                "bus": {"drive": 4, "lowpass": 5000},
                "reverb": 0.3,
                "db": -4.0,
            }
        )
    s["vocals"] = _vocals(a, t, "sing", female=a.random() < 0.3) if t.random() < 0.85 else None
    s["stem_db"] = _stem_db(a, t, -17, -19, -17, -17)
    return s


FAMILIES = {
    "edm": {
        "techno": techno,
        "house": house,
        "trance": trance,
        "drum_and_bass": drum_and_bass,
        "dubstep": dubstep,
        "trap": trap,
    },
    "gtzan": {
        "blues": blues,
        "classical": classical,
        "country": country,
        "disco": disco,
        "hiphop": hiphop,
        "jazz": jazz,
        "metal": metal,
        "pop": pop,
        "reggae": reggae,
        "rock": rock,
    },
}

"""The genres of the synthetic corpus, as tables (see `_tables`), in two families.

Genre ranges (tempo, swing, patterns) are typical production values, widened so that related
genres overlap (house, techno and trance share four-on-the-floor at overlapping tempi; rock and
metal share distorted guitars; blues and jazz share swing). The traits follow common production
and arranging practice: four-on-the-floor kicks at 118-142 BPM for house, techno and trance;
two-step breakbeats at 165-178 BPM for drum & bass; half-time snares and LFO-filtered "wobble"
bass at ~140 BPM for dubstep; 808 glides and hi-hat rolls for trap; twelve-bar shuffles for
blues; swung ride patterns and walking bass for jazz; one-drop drums and off-beat skanks for
reggae; boom-bap with vinyl noise for hip-hop; distorted palm-muted power chords and double
kicks for metal; and so on.

The order of the fields and of the options is part of the corpus: it fixes which random
number each choice takes, so reordering them changes the audio (see `RENDER_VERSION`).
"""

from kgenre.datasets.synthetic._tables import (
    ARTIST,
    BASS_PATTERN,
    KEEP,
    TUNE,
    Band,
    Bass,
    Beat,
    Chance,
    Drums,
    Genre,
    Instrument,
    Int,
    Kit,
    Part,
    Pick,
    Sparse,
    U,
    Vocals,
    VoiceOf,
    Wobble,
)


def chords(degrees: str, quality: str | None = None) -> list:
    """A progression: `"0 3 4:major"` -> `[(0, quality), (3, quality), (4, "major")]`."""
    progression = []
    for token in degrees.split():
        degree, _, own = token.partition(":")
        progression.append((int(degree), own or quality))
    return progression


def maybe(p: float, what):
    """`what` with probability `p`, else nothing."""
    return Chance(p, what, None)


# The tables below are laid out by hand, one entry per line, so that they read as tables.
# fmt: off

# instruments: every draw comes from the artist stream ---------------------------------------

SUB = Instrument(layers=[("sine", 1.0, None, 0.0, 1)], adsr=(0.005, 0.2, 0.9, 0.05))
BASS_808 = Instrument(
    layers=[("sine", 1.0, None, 0.0, 1), ("triangle", 0.25, 0.15, 0.0, 1)],
    adsr=(0.002, U(0.5, 1.5), 0.3, 0.15), glide=U(0.04, 0.09))
REESE = Instrument(layers=[("saw", 1.0, None, U(0.12, 0.3), 2)], adsr=(0.01, 1.0, 1.0, 0.05))
WOBBLE = Instrument(
    layers=[("saw", 1.0, None, U(0.05, 0.15), 2), ("square", 0.7, None, 0.0, 1)],
    adsr=(0.005, 1.0, 1.0, 0.03))
SYNTH_BASS = Instrument(
    layers=[(Pick(("saw", "square")), 1.0, U(0.15, 0.5), 0.0, 1), ("sine", 0.6, None, 0.0, 1)],
    adsr=(0.003, 0.3, 0.6, 0.04))
BASS_GUITAR = Instrument(
    layers=[("saw", 0.5, U(0.2, 0.5), 0.0, 1), ("sine", 1.0, U(0.8, 1.6), 0.0, 1)],
    adsr=(0.005, 1.0, 1.0, 0.07))
UPRIGHT = Instrument(
    layers=[("triangle", 1.0, U(0.4, 0.8), 0.0, 1), ("sine", 0.8, 1.0, 0.0, 1)],
    adsr=(0.01, 1.0, 1.0, 0.1))
CELLO = Instrument(
    layers=[("saw", 1.0, None, 0.06, 2)], adsr=(U(0.08, 0.2), 1.0, 0.9, 0.3), vibrato=(5.0, 0.12))
SUPERSAW = Instrument(
    layers=[("saw", 1.0, None, U(0.12, 0.35), Pick((3, 5)))],
    adsr=(U(0.1, 0.6), 1.0, 0.85, U(0.3, 0.8)))
STRINGS = Instrument(
    layers=[("saw", 1.0, None, U(0.05, 0.12), 3)], adsr=(U(0.15, 0.4), 1.0, 0.9, 0.4),
    vibrato=(U(4.5, 6.0), 0.1))
PIANO = Instrument(
    layers=[("piano", 1.0, U(0.3, 0.8), 0.0, 1), ("sine", 0.5, U(1.2, 2.5), 0.0, 1)],
    adsr=(0.002, 1.0, 1.0, 0.25))
EPIANO = Instrument(fm=(1.0, U(1.0, 2.5), U(0.15, 0.5)), adsr=(0.002, U(0.8, 1.8), 0.2, 0.3))
BELL = Instrument(
    fm=(Pick((3.5, 2.0, 4.0)), U(2.0, 5.0), U(0.1, 0.4)), adsr=(0.001, U(0.4, 1.2), 0.0, 0.4))
ORGAN = Instrument(layers=[("organ", 1.0, None, 0.02, 2)], adsr=(0.004, 1.0, 1.0, 0.05))
PLUCK_SYNTH = Instrument(
    layers=[(Pick(("saw", "square")), 1.0, U(0.06, 0.2), U(0.0, 0.1), 2)],
    adsr=(0.001, 1.0, 1.0, 0.05))
STAB = Instrument(layers=[("saw", 1.0, U(0.1, 0.3), U(0.05, 0.2), 3)], adsr=(0.002, 1.0, 1.0, 0.06))
LEAD = Instrument(
    layers=[(Pick(("saw", "square")), 1.0, None, U(0.03, 0.12), 3)],
    adsr=(0.01, 0.3, 0.8, 0.15), vibrato=(5.5, 0.15))
ACID = Instrument(layers=[("saw", 1.0, U(0.15, 0.4), 0.0, 1)], adsr=(0.002, 1.0, 1.0, 0.03))
GUITAR = Instrument(
    layers=[("saw", 0.7, U(0.08, 0.2), 0.0, 1), ("triangle", 0.8, U(0.5, 1.2), 0.0, 1)],
    adsr=(0.002, 1.0, 1.0, 0.08))
DIST_GUITAR = Instrument(
    layers=[("saw", 1.0, None, U(0.05, 0.12), 2)], adsr=(0.003, 1.0, 1.0, 0.04))
MUTED_GUITAR = Instrument(
    layers=[("saw", 1.0, U(0.03, 0.06), 0.0, 1)], adsr=(0.001, 1.0, 1.0, 0.02))
REED = Instrument(
    layers=[("reed", 1.0, None, 0.0, 1)], adsr=(0.03, 0.2, 0.8, 0.1), vibrato=(U(4.5, 6.0), 0.2))
TWANG = Instrument(
    layers=[("saw", 0.6, 0.3, 0.0, 1), ("triangle", 0.8, 1.0, 0.0, 1)],
    adsr=(0.003, 1.0, 1.0, 0.1), bend=U(0.5, 2.0))
FLUTE = Instrument(
    layers=[("sine", 1.0, None, 0.0, 1), ("triangle", 0.3, None, 0.0, 1)],
    adsr=(0.06, 0.2, 0.9, 0.15), vibrato=(5.0, 0.15))
BRASS = Instrument(layers=[("saw", 1.0, None, 0.04, 2)], adsr=(0.03, 0.15, 0.7, 0.08))


# drum kits: every draw comes from the artist stream -----------------------------------------

def machine_kit(kick_decay: tuple = (0.25, 0.45), kick_low: tuple = (42, 55)) -> Kit:
    """A drum-machine kit (909/808-like) with the artist's tuning."""
    return Kit(tune=U(0.8, 1.3), voices={
        "kick": ("kick", {"f_start": U(120, 220), "f_end": U(*kick_low),
                          "pitch_decay": U(0.02, 0.05), "decay": U(*kick_decay),
                          "click": U(0.1, 0.5), "drive": U(1.0, 3.0)}),
        "clap": ("clap", {"decay": U(0.08, 0.2), "centre": U(900, 1600)}),
        "snare": ("snare", {"tone": U(170, 240), "tone_decay": U(0.03, 0.08),
                            "noise_decay": U(0.08, 0.2), "tone_mix": U(0.2, 0.5)}),
        "hat": ("hat", {"decay": U(0.02, 0.06), "tune": TUNE, "noise": U(0.3, 0.7)}),
        "open_hat": ("open_hat", {"decay": U(0.1, 0.3), "tune": TUNE, "noise": U(0.3, 0.7)}),
        "crash": ("crash", {"decay": U(0.6, 1.4), "tune": U(0.7, 1.0), "noise": 0.6,
                            "cutoff": 5000.0}),
        "rim": ("rim", {"freq": U(1300, 2200)}),
        "shaker": ("shaker", {"decay": U(0.03, 0.06)}),
    })


MACHINE = machine_kit()
# an acoustic-like kit: softer kick, ringing toms, ride and crash cymbals
ACOUSTIC = Kit({
    "kick": ("kick", {"f_start": U(90, 130), "f_end": U(50, 68), "pitch_decay": U(0.015, 0.03),
                      "decay": U(0.12, 0.28), "click": U(0.2, 0.6), "drive": U(0.5, 1.5)}),
    "snare": ("snare", {"tone": U(160, 230), "tone_decay": U(0.05, 0.1),
                        "noise_decay": U(0.12, 0.25), "tone_mix": U(0.35, 0.55)}),
    "hat": ("hat", {"decay": U(0.03, 0.08), "tune": U(1.0, 1.5), "noise": 0.6}),
    "open_hat": ("open_hat", {"decay": U(0.2, 0.4), "tune": U(1.0, 1.5), "noise": 0.6}),
    "ride": ("ride", {"decay": U(0.4, 1.1), "tune": U(1.2, 1.7), "noise": 0.25, "cutoff": 3000.0}),
    "crash": ("crash", {"decay": U(1.0, 2.0), "tune": U(0.8, 1.1), "noise": 0.7, "cutoff": 4000.0}),
    "tom": ("tom", {"freq": U(90, 150), "decay": U(0.15, 0.3)}),
    "rim": ("rim", {"freq": U(1400, 2000)}),
})
BRUSHES = Kit({"snare": ("brush", {"decay": U(0.08, 0.16)})})


def snare(tone: tuple, tone_decay: tuple, noise_decay: tuple, tone_mix: tuple) -> Kit:
    """A kit of one snare, to swap into another kit (a genre's own snare sound)."""
    return Kit({"snare": ("snare", {"tone": U(*tone), "tone_decay": U(*tone_decay),
                                    "noise_decay": U(*noise_decay), "tone_mix": U(*tone_mix)})})


FOUR = "X...X...X...X..."
BACKBEAT = "....X.......X..."
HALF_TIME = "........X......."
OFFBEAT = "..X...X...X...X."
EIGHTHS = "x.x.x.x.x.x.x.x."
SIXTEENTHS = "xgxgxgxgxgxgxgxg"


# EDM family -----------------------------------------------------------------------------------

TECHNO = Genre(
    tempo=(122, 136), swing=U(0.5, 0.53), mode=Pick(("minor", "phrygian", "dorian", "minor")),
    progression=Pick((chords("0"), chords("0"), chords("0 0 5 6"), chords("0 3"))),
    chord_size=Pick((3, 4)),
    band=Band(
        drums=Drums(
            patterns=(Beat("kick", FOUR), Beat("open_hat", OFFBEAT),
                      Beat("hat", Pick((SIXTEENTHS, EIGHTHS, "xxXxxxXxxxXxxxXx")), chance=0.6),
                      Beat("clap", BACKBEAT, chance=0.5), Beat("rim", Sparse(0.4), chance=0.6)),
            kit=machine_kit(kick_decay=(0.3, 0.55)), drop=0.05, crash=0.3,
            effects={"reverb": U(0.05, 0.3)}, gains={"rim": 0.4, "hat": 0.5, "open_hat": 0.6}),
        bass=Bass(Pick(("offbeat", "rolling", "synco")), Pick((SUB, SYNTH_BASS, ACID)),
                  effects={"lowpass": U(300, 900, ARTIST)}),
        parts=(
            maybe(0.65, Part("stab", STAB, centre=60, length=0.5,
                             pattern=Pick((OFFBEAT, "...X.....X......", "X..X..X...X.....")),
                             effects={"lowpass": U(1200, 4000), "echo": (3, 0.5, U(0.3, 0.8)),
                                      "reverb": U(0.2, 0.6)})),
            maybe(0.5, Part("acid", ACID, centre=48, durations=(1, 1, 1, 2), density=0.8, db=-2.0,
                            effects={"sweep": (U(250, 500), U(1500, 4000), 4),
                                     "drive": U(1.5, 3.0), "reverb": 0.1})),
        ),
        fallback=Part("pad", SUPERSAW, centre=62, db=-3.0,
                      effects={"lowpass": U(800, 2000), "reverb": 0.6}),
    ),
    vocals=Vocals("chop", chance=0.3, settings={"bus": {"echo": (3, 0.5, 0.6)}}),
    sidechain=U(0.2, 0.6), stem_db=(-14, -19, -21, -22),
    sections={"drums": 0.9, "bass": 0.8, "other": 0.85, "vocals": 0.6},
)

HOUSE = Genre(
    tempo=(116, 128), swing=U(0.5, 0.6), mode=Pick(("dorian", "minor", "major", "dorian")),
    progression=Pick((chords("0 3"), chords("1 4 0 5"), chords("0 5 3 4"))), chord_size=4,
    band=Band(
        drums=Drums(
            patterns=(Beat("kick", FOUR), Beat("clap", BACKBEAT), Beat("open_hat", OFFBEAT),
                      Beat("shaker", "xxxxxxxxxxxxxxxx", chance=0.7),
                      Beat("hat", EIGHTHS, chance=0.4)),
            kit=machine_kit(kick_decay=(0.2, 0.35)), drop=0.05, crash=0.3,
            effects={"reverb": U(0.05, 0.3)}, gains={"shaker": 0.5, "hat": 0.5, "open_hat": 0.6}),
        bass=Bass(Pick(("synco", "offbeat", "synco")), Pick((SYNTH_BASS, SUB, BASS_GUITAR)),
                  effects={"lowpass": U(400, 1200, ARTIST)}),
        parts=(
            Part("stab", Pick((PIANO, ORGAN, EPIANO, STAB)), centre=62, length=U(0.8, 2.5),
                 pattern=Pick(("X..X..X...X..X..", "..X..X....X..X..", OFFBEAT,
                               "X.....X.....X...")),
                 effects={"lowpass": U(2000, 6000), "reverb": U(0.2, 0.5)}),
            maybe(0.4, Part("pad", STRINGS, centre=66, db=-5.0,
                            effects={"reverb": 0.5, "lowpass": 3000})),
        ),
    ),
    vocals=Vocals(Pick(("sing", "sing", "chop", None)), female=Chance(0.75)),
    sidechain=U(0.1, 0.4), stem_db=(-15, -19, -20, -19),
    sections={"drums": 0.9, "bass": 0.85, "other": 0.9, "vocals": 0.7},
)

TRANCE = Genre(
    tempo=(128, 142), mode=Pick(("minor", "harmonic_minor", "minor")),
    progression=Pick((chords("0 5 2 6"), chords("0 5 6 0"), chords("0 3 5 4:major"))),
    bars_per_chord=Pick((1, 2)),
    band=Band(
        drums=Drums(
            patterns=(Beat("kick", FOUR), Beat("open_hat", OFFBEAT),
                      Beat("hat", Pick((SIXTEENTHS, EIGHTHS))), Beat("clap", BACKBEAT, chance=0.7)),
            kit=MACHINE, drop=0.03, crash=0.8,
            effects={"reverb": U(0.1, 0.4)}, gains={"hat": 0.5, "open_hat": 0.6}),
        bass=Bass(Pick(("rolling", "offbeat")), Pick((SYNTH_BASS, REESE)),
                  effects={"lowpass": U(400, 1000, ARTIST)}),
        parts=(
            Part("pad", SUPERSAW, centre=64, db=-2.0,
                 effects={"reverb": U(0.5, 1.0), "lowpass": U(2500, 7000)}),
            maybe(0.8, Part("arp", PLUCK_SYNTH, centre=72, order=Pick(("up", "updown", "random")),
                            rate=Pick((1, 1, 2)), db=-3.0,
                            effects={"echo": (3, 0.45, 0.5), "reverb": 0.5})),
            maybe(0.4, Part("lead", LEAD, centre=74, durations=(2, 2, 4, 4), motif_bars=2, db=-3.0,
                            effects={"reverb": 0.6})),
        ),
    ),
    vocals=Vocals(Pick(("sing", "chop", None, None)), female=True,
                  settings={"reverb": U(0.5, 1.0)}),
    reverb_rt60=U(1.5, 2.5), sidechain=U(0.4, 0.8), stem_db=(-15, -19, -18, -20),
    sections={"drums": 0.8, "bass": 0.85, "other": 0.95, "vocals": 0.6},
)

DRUM_AND_BASS = Genre(
    tempo=(164, 178), mode=Pick(("minor", "dorian")),
    progression=Pick((chords("0 5"), chords("0 3"), chords("0 6 5 6"))),
    bars_per_chord=2, chord_size=Pick((3, 4)),
    band=Band(
        drums=Drums(
            patterns=(
                Beat(("kick", "snare"), Pick((("X.........X.....", BACKBEAT),
                                              ("X.........X..x..", BACKBEAT),
                                              ("X.X.......X.....", "....X..g.g..X..g"),
                                              ("X.........XX....", "....X.......X...")))),
                Beat("hat", Pick((EIGHTHS, SIXTEENTHS, "x.xxx.xxx.xxx.xx"))),
                Beat("ride", "X...X...X...X...", chance=0.4)),
            kit=machine_kit(kick_decay=(0.15, 0.3), kick_low=(48, 62)),
            swaps=(snare((200, 260), (0.03, 0.07), (0.1, 0.2), (0.3, 0.5)),
                   VoiceOf(ACOUSTIC, "ride")),
            ghosts=U(0.0, 0.2), drop=0.05, fills=0.4, crash=0.5,
            effects={"reverb": U(0.1, 0.3)}, gains={"hat": 0.5, "ride": 0.4}),
        bass=Chance(0.6,
                    Bass("reese", REESE, effects={"lowpass": U(300, 900), "drive": U(0, 2.0)}),
                    Bass("sustain", SUB)),
        parts=(
            Part("pad", Pick((STRINGS, SUPERSAW, EPIANO)), centre=64, db=-2.0,
                 effects={"reverb": U(0.4, 0.9), "lowpass": U(1500, 5000)}),
            maybe(0.3, Part("stab", STAB, centre=60, pattern="X.....X.........", length=1.0,
                            db=-3.0, effects={"reverb": 0.4})),
        ),
    ),
    vocals=Vocals(Pick(("sing", "chop", None))),
    sidechain=U(0.0, 0.3), stem_db=(-14, -18, -21, -20),
    sections={"drums": 0.85, "bass": 0.85, "other": 0.9, "vocals": 0.6},
)

DUBSTEP = Genre(
    tempo=(136, 146), mode=Pick(("minor", "phrygian")),
    progression=Pick((chords("0"), chords("0 1"), chords("0 5"))), bars_per_chord=2,
    band=Band(
        drums=Drums(
            patterns=(Beat("kick", Pick(("X.........X.....", "X.........x..X..",
                                         "X......X..X....."))),
                      Beat("snare", HALF_TIME),
                      Beat("hat", Pick((EIGHTHS, "x..x..x..x..x.x.", "x.x.x.x.x.x.xxxx"))),
                      Beat("clap", HALF_TIME, chance=0.5)),
            kit=MACHINE, swaps=(snare((170, 220), (0.05, 0.1), (0.18, 0.3), (0.3, 0.5)),),
            drop=0.05, fills=0.3, crash=0.6, effects={"reverb": U(0.2, 0.5)}, gains={"hat": 0.5}),
        bass=Bass("wobble", WOBBLE,
                  effects={"wobble": Wobble(U(80, 200), U(1200, 4000)), "drive": U(1.0, 4.0)}),
        parts=(
            Part("pad", Pick((SUPERSAW, STRINGS)), centre=62, db=-4.0,
                 effects={"reverb": 0.7, "lowpass": U(1000, 3000)}),
            maybe(0.4, Part("riff", BELL, centre=72, durations=(2, 2, 4), density=0.4, db=-4.0,
                            effects={"reverb": 0.5})),
        ),
    ),
    vocals=Vocals("chop", chance=0.35, settings={"bus": {"echo": (3, 0.4, 0.5)}}),
    sidechain=U(0.0, 0.3), stem_db=(-15, -16, -22, -21),
    sections={"drums": 0.9, "bass": 0.85, "other": 0.8, "vocals": 0.6},
)

TRAP = Genre(
    tempo=(130, 160), mode=Pick(("minor", "harmonic_minor", "phrygian")),
    progression=Pick((chords("0 5"), chords("0 3"), chords("0 1"))), bars_per_chord=2,
    band=Band(
        drums=Drums(
            patterns=(Beat("kick", Pick(("X......X..X.....", "X.....X...X..X..",
                                         "X.........X...X.", "X..X......X....."))),
                      Beat("clap", HALF_TIME), Beat("hat", Pick(("xxxxxxxxxxxxxxxx", EIGHTHS))),
                      Beat("open_hat", "..............X.", chance=0.4)),
            kit=machine_kit(kick_decay=(0.2, 0.4), kick_low=(40, 52)),
            rolls=U(0.08, 0.25), drop=0.05, crash=0.2,
            effects={"reverb": U(0.05, 0.25)}, gains={"hat": 0.45}),
        bass=Bass("808", BASS_808, effects={"drive": U(0.5, 3.0), "lowpass": U(1500, 4000)}),
        parts=(
            Part("riff", Pick((BELL, PLUCK_SYNTH, PIANO)), centre=72, durations=(1, 2, 2, 3),
                 density=0.6, motif_bars=Pick((1, 2)), effects={"reverb": U(0.3, 0.7)}),
            maybe(0.4, Part("pad", STRINGS, centre=62, db=-5.0,
                            effects={"reverb": 0.6, "lowpass": 2500})),
        ),
    ),
    vocals=Vocals("rap", chance=0.7, female=Chance(0.2, by=ARTIST),
                  settings={"vibrato": (5.0, 0.0), "reverb": 0.15}),
    stem_db=(-16, -15, -21, -18),
    sections={"drums": 0.9, "bass": 0.9, "other": 0.9, "vocals": 0.7},
)


# GTZAN-like family ----------------------------------------------------------------------------

BLUES = Genre(
    tempo=(66, 124), swing=U(0.6, 0.7), swing_unit=2, jitter=0.008, mode="mixolydian",
    progression=Pick((chords("0 0 0 0 3 3 0 0 4 3 0 4", "dom7"),
                      chords("0 3 0 0 3 3 0 0 4 3 0 4", "dom7"))),
    chord_size=4,
    band=Band(
        drums=Drums(
            patterns=(Beat("kick", "X.......X......."), Beat("snare", BACKBEAT),
                      Beat(Pick(("hat", "ride")), Pick((EIGHTHS, "x...x.x.x...x.x.")))),
            kit=ACOUSTIC, swaps=(maybe(0.3, BRUSHES),), ghosts=0.1, fills=0.3, crash=0.3,
            effects={"reverb": U(0.1, 0.3)}, gains={"ride": 0.5, "hat": 0.6}),
        bass=Bass(Pick(("boogie", "walking", "root_fifth")), Pick((BASS_GUITAR, UPRIGHT)),
                  effects={"lowpass": U(800, 2000)}),
        parts=(
            Part("riff", Pick((GUITAR, TWANG, REED)), centre=64, durations=(1, 2, 2, 3, 4),
                 density=0.6, motif_bars=2, scale="blues", rest_every=2,
                 effects={"drive": U(0, 3.0), "lowpass": U(2500, 5000), "reverb": U(0.2, 0.5)}),
            maybe(0.6, Part("comp", Pick((PIANO, ORGAN)), centre=60, length=U(1.0, 3.0), db=-4.0,
                            effects={"reverb": 0.3})),
        ),
    ),
    vocals=Vocals("sing", chance=0.75, female=Chance(0.3, by=ARTIST),
                  settings={"scale": "blues",
                            "vibrato": (U(4.5, 6.0, ARTIST), U(0.2, 0.6, ARTIST))}),
    noise=Chance(0.5, ("hiss", U(-45, -30)), KEEP), stem_db=(-19, -19, -18, -18),
)


def _classical_band(bass: Instrument, *parts) -> Band:
    return Band(drums=None, parts=parts,
                bass=Bass(Pick(("cello", "sustain")), bass,
                          effects={"lowpass": U(1200, 3000), "reverb": 0.6}))


def _classical_lead(*instruments) -> Part:
    return Part("lead", Pick(instruments), centre=74, durations=(2, 4, 4, 6, 8), motif_bars=2,
                effects={"lowpass": U(2500, 5000), "reverb": 0.7})


_STRING_PAD = Part("pad", STRINGS, centre=62, db=-1.0,
                   effects={"reverb": 0.8, "lowpass": U(2500, 5000)})

CLASSICAL = Genre(
    tempo=(56, 116), jitter=0.015, mode=Pick(("major", "major", "harmonic_minor", "minor")),
    progression=Pick((chords("0 3 4 0"), chords("0 5 1 4"), chords("0 4 5 2 3 0 3 4"))),
    bars_per_chord=Pick((1, 1, 2)), tonic=Int(36, 48),
    # the ensemble: solo piano, a string section, or an orchestra
    band=Pick((
        _classical_band(
            PIANO,
            Part("arp", PIANO, centre=60, order=Pick(("up", "updown")), rate=Pick((1, 2)),
                 db=-2.0, effects={"reverb": 0.5}),
            Part("lead", PIANO, centre=74, durations=(2, 4, 4, 6, 8), motif_bars=2,
                 effects={"reverb": 0.5})),
        _classical_band(CELLO, _STRING_PAD, _classical_lead(STRINGS)),
        _classical_band(
            CELLO, _STRING_PAD, _classical_lead(STRINGS, FLUTE, REED),
            maybe(0.6, Part("arp", Pick((PIANO, PLUCK_SYNTH)), centre=67, rate=2, db=-5.0,
                            effects={"reverb": 0.6}))),
    )),
    vocals=Vocals("sing", chance=0.12, female=True,
                  settings={"vibrato": (5.5, 0.7), "reverb": 0.8, "vowels": "ao"}),
    reverb_rt60=U(1.5, 2.8), noise=Chance(0.5, ("hiss", U(-55, -35)), None),
    stem_db=(-30, -21, -16, -18),
)


def _country_band(snare: str, *swaps) -> Band:
    return Band(
        drums=Drums(
            patterns=(Beat("kick", "X.......X......."), Beat("snare", snare),
                      Beat("hat", EIGHTHS)),
            kit=ACOUSTIC, swaps=swaps, fills=0.3, crash=0.4,
            effects={"reverb": U(0.1, 0.3)}, gains={"hat": 0.5}),
        bass=Bass("root_fifth", Pick((BASS_GUITAR, UPRIGHT)), effects={"lowpass": U(900, 2000)}),
        parts=(
            Part("strum", GUITAR, centre=60, length=2.0, strum=U(0.008, 0.02), db=-1.0,
                 pattern=Pick(("X.x.X.x.X.x.X.x.", "X..xX.x.X..xX.x.", "X.x.xx.xX.x.xx.x")),
                 effects={"reverb": 0.2}),
            Part("riff", Pick((TWANG, STRINGS, TWANG)), centre=72, durations=(1, 2, 2, 4),
                 density=0.6, motif_bars=2, scale="major_pentatonic", rest_every=2, db=-3.0,
                 effects={"reverb": 0.3}),
        ),
    )


COUNTRY = Genre(
    tempo=(86, 140), swing=U(0.5, 0.56), jitter=0.006,
    mode=Pick(("major", "major", "mixolydian")),
    progression=Pick((chords("0 3 4 0"), chords("0 4 5 3"), chords("0 3 0 4"))),
    bars_per_chord=Pick((1, 2)),
    # the train beat (snare eighths, on brushes), or a backbeat (brushes now and then)
    band=Chance(0.4, _country_band("gxgXgxgXgxgXgxgX", BRUSHES),
                _country_band(BACKBEAT, maybe(0.3, BRUSHES))),
    vocals=Vocals("sing", chance=0.85, settings={"scale": "major_pentatonic"}),
    stem_db=(-19, -19, -18, -16),
)

DISCO = Genre(
    tempo=(108, 132), mode=Pick(("minor", "dorian", "major")),
    progression=Pick((chords("0 3"), chords("1 4"), chords("0 3 1 4"))), chord_size=4,
    band=Band(
        drums=Drums(
            patterns=(Beat("kick", FOUR), Beat("snare", BACKBEAT), Beat("open_hat", OFFBEAT),
                      Beat("hat", SIXTEENTHS)),
            kit=Pick((ACOUSTIC, MACHINE)), fills=0.2, crash=0.4,
            effects={"reverb": U(0.1, 0.3)}, gains={"hat": 0.5, "open_hat": 0.6}),
        bass=Bass("octave", Pick((BASS_GUITAR, SYNTH_BASS)), effects={"lowpass": U(900, 2500)}),
        parts=(
            Part("scratch", MUTED_GUITAR, centre=64, pattern="xxXxxxXxxxXxxxXx", length=0.5,
                 db=-4.0, effects={"reverb": 0.1}),
            Part(Pick(("pad", "stab")), Pick((STRINGS, BRASS)), centre=67, length=2.0, db=-1.0,
                 pattern=Pick(("X.....X.....X...", "..X...X...X...X.")), effects={"reverb": 0.5}),
            maybe(0.4, Part("stab", Pick((PIANO, EPIANO)), centre=60, pattern="X..X..X...X..X..",
                            length=1.5, db=-4.0, effects={"reverb": 0.3})),
        ),
    ),
    vocals=Vocals("sing", chance=0.8, female=Chance(0.7)), stem_db=(-17, -17, -19, -17),
)

HIPHOP = Genre(
    tempo=(78, 102), swing=U(0.5, 0.62), mode=Pick(("minor", "dorian")),
    progression=Pick((chords("0 3"), chords("0 5"), chords("0"), chords("1 4 0 0"))),
    bars_per_chord=Pick((1, 2)), chord_size=4,
    band=Band(
        drums=Drums(
            patterns=(Beat("kick", Pick(("X......X..X.....", "X.....X...X..X..",
                                         "X..X......X.X...", "X......XX.......",
                                         "X.X.......X....."))),
                      Beat("snare", BACKBEAT),
                      Beat("hat", Pick((EIGHTHS, SIXTEENTHS, "x.xxx.xxx.xxx.xx")))),
            kit=Pick((MACHINE, ACOUSTIC)), ghosts=0.05, drop=0.05, crash=0.1,
            effects={"lowpass": U(4000, 9000), "reverb": U(0.05, 0.2)}, gains={"hat": 0.5}),
        bass=Bass("hiphop", Pick((SUB, BASS_GUITAR, BASS_808)), effects={"lowpass": U(300, 900)}),
        parts=(
            Part("keys", Pick((EPIANO, PIANO, STRINGS, ORGAN)), centre=62, length=U(3, 6),
                 pattern=Pick(("X.........X.....", "X.....X.....X...", "X......X........")),
                 effects={"lowpass": U(1500, 4000), "reverb": 0.3}),
        ),
    ),
    vocals=Vocals("rap", chance=0.9, female=Chance(0.2, by=ARTIST),
                  settings={"vibrato": (5.0, 0.0), "reverb": 0.1}),
    noise=Chance(0.6, ("vinyl", U(-40, -28)), KEEP), stem_db=(-15, -17, -21, -16),
)

JAZZ = Genre(
    tempo=(96, 220), swing=U(0.6, 0.68), swing_unit=2, jitter=0.01,
    mode=Pick(("major", "major", "dorian")),
    progression=Pick((chords("1 4 0 5"), chords("1 4 0 0"), chords("0 5 1 4"))),
    chord_size=Pick((4, 5)),
    band=Band(
        drums=Drums(
            patterns=(Beat("ride", "X...X.x.X...X.x."), Beat("hat", "....x.......x..."),
                      Beat("kick", "g...g...g...g...")),
            kit=ACOUSTIC, swaps=(maybe(0.4, BRUSHES),), ghosts=0.15, fills=0.2, crash=0.2,
            effects={"reverb": U(0.2, 0.5)}, gains={"kick": 0.6, "ride": 0.4, "hat": 0.5}),
        bass=Bass("walking", UPRIGHT, effects={"lowpass": U(700, 1500)}),
        parts=(
            Part("comp", Pick((PIANO, EPIANO, GUITAR)), centre=62, length=U(1.0, 3.0), db=-2.0,
                 effects={"reverb": 0.4}),
            maybe(0.6, Part("lead", Pick((REED, BRASS, FLUTE)), centre=68,
                            durations=(1, 1, 2, 2, 3), density=0.8, motif_bars=2, rest_every=3,
                            effects={"lowpass": 4000, "reverb": 0.4})),
        ),
    ),
    vocals=Vocals(Pick(("sing", "scat", None, None, None)), by_style={"scat": {"vowels": "aou"}}),
    noise=Chance(0.5, ("hiss", U(-50, -32)), KEEP), stem_db=(-22, -19, -17, -17),
)

METAL = Genre(
    tempo=(96, 200), jitter=0.003, mode=Pick(("phrygian", "minor", "harmonic_minor")),
    progression=Pick((chords("0 1 0 5", "power"), chords("0 0 6 5", "power"),
                      chords("0 5 6 0", "power"), chords("0 1 2 1", "power"))),
    tonic=Int(28, 40),
    band=Band(
        drums=Drums(
            patterns=(Beat("kick", Pick(("XXXXXXXXXXXXXXXX", "X.XXX.XXX.XXX.XX",
                                         "X.X.X.X.X.X.X.X.", "X..X..X.X..X..X."))),
                      # blast beats now and then
                      Beat("snare", Chance(0.2, ".X.X.X.X.X.X.X.X", BACKBEAT)),
                      Beat(Pick(("crash", "hat", "ride")), Pick((EIGHTHS, "X...X...X...X...")))),
            kit=ACOUSTIC,
            swaps=(Kit({"kick": ("kick", {"f_start": U(120, 180), "f_end": U(55, 70),
                                          "pitch_decay": 0.015, "decay": U(0.08, 0.15),
                                          "click": U(0.6, 1.2), "drive": 2.0})}),),
            fills=0.4, crash=0.8,
            effects={"reverb": U(0.1, 0.3)}, gains={"crash": 0.4, "hat": 0.6, "ride": 0.5}),
        # palm-muted chugs: the bass and the rhythm guitar share the pattern
        bass=Bass("root16", BASS_GUITAR,
                  pattern=Pick(("xxxxxxxxxxxxxxxx", "X.xxX.xxX.xxX.xx", "X.X.X.X.X.X.X.X.",
                                "X..xx..xX..xx..x")),
                  effects={"drive": U(1.0, 4.0), "lowpass": U(800, 2000)}),
        parts=(
            Part("power", DIST_GUITAR, centre=52, pattern=BASS_PATTERN, length=U(0.5, 0.9),
                 effects={"drive": U(6, 20, ARTIST), "lowpass": U(3000, 6000), "highpass": 90,
                          "reverb": 0.15}),
            maybe(0.4, Part("lead", DIST_GUITAR, centre=69, durations=(1, 1, 2, 2, 4),
                            density=0.8, motif_bars=2, rest_every=2, db=-4.0,
                            effects={"drive": 8, "lowpass": 5000, "reverb": 0.4})),
        ),
    ),
    vocals=Vocals(Pick(("growl", "growl", "sing", None)), female=False,
                  by_style={"growl": {"growl": U(0.4, 1.0), "bus": {"drive": 2.0}}}),
    stem_db=(-17, -19, -15, -18),
)

POP = Genre(
    tempo=(88, 128), mode="major",
    progression=Pick((chords("0 4 5 3"), chords("5 3 0 4"), chords("0 5 3 4"))),
    band=Band(
        drums=Drums(
            patterns=(Beat("kick", Pick(("X.......X.X.....", "X.....X.X.......", FOUR))),
                      Beat(Pick(("clap", "snare")), BACKBEAT),
                      Beat("hat", Pick((EIGHTHS, SIXTEENTHS)))),
            kit=Pick((MACHINE, ACOUSTIC)), fills=0.2, crash=0.5,
            effects={"reverb": U(0.1, 0.3)}, gains={"hat": 0.5}),
        bass=Bass(Pick(("root8", "synco")), Pick((SYNTH_BASS, BASS_GUITAR, SUB)),
                  effects={"lowpass": U(600, 2000)}),
        parts=(
            Part(Pick(("pad", "stab", "strum", "arp")),
                 Pick((PIANO, SUPERSAW, GUITAR, PLUCK_SYNTH, EPIANO)), centre=64,
                 pattern=Pick(("X.....X.....X...", "X.x.X.x.X.x.X.x.", "X..X..X.X..X..X.")),
                 length=2.0, rate=2, strum=0.01, effects={"reverb": 0.4}),
            maybe(0.4, Part("pad", Pick((STRINGS, SUPERSAW)), centre=67, db=-5.0,
                            effects={"reverb": 0.6, "lowpass": 4000})),
        ),
    ),
    vocals=Vocals("sing", chance=0.95), stem_db=(-18, -19, -19, -14),
)

REGGAE = Genre(
    tempo=(62, 92), swing=U(0.52, 0.64), jitter=0.005, mode=Pick(("major", "minor", "dorian")),
    progression=Pick((chords("0 3"), chords("0 6"), chords("0 4 5 3"), chords("0 0 3 4"))),
    band=Band(
        drums=Drums(
            # one drop, or four on the floor ("steppers")
            patterns=(Beat("kick", Chance(0.3, FOUR, HALF_TIME)), Beat("rim", HALF_TIME),
                      Beat("hat", Pick((EIGHTHS, "x.xxx.xxx.xxx.xx")))),
            kit=ACOUSTIC, ghosts=0.05, fills=0.3, crash=0.2,
            effects={"reverb": U(0.2, 0.5), "echo": (3, 0.3, U(0.0, 0.4))},
            gains={"hat": 0.5, "rim": 0.8}),
        bass=Bass("reggae", Pick((BASS_GUITAR, SUB)), effects={"lowpass": U(300, 700)}),
        parts=(
            Part("skank", Pick((GUITAR, MUTED_GUITAR)), centre=66, length=0.6,
                 pattern=Pick(("....X.......X...", "..X...X...X...X.")),
                 effects={"highpass": 300, "reverb": U(0.2, 0.6)}),
            maybe(0.7, Part("skank", ORGAN, centre=60, length=0.7, db=-4.0,
                            pattern=Pick((".x.x.x.x.x.x.x.x", "..x...x...x...x.",
                                          "....x.......x...")),
                            effects={"reverb": 0.3})),
        ),
    ),
    vocals=Vocals("sing", chance=0.85, settings={"bus": {"echo": (6, 0.3, 0.3)}}),
    reverb_rt60=U(0.6, 1.6), stem_db=(-18, -14, -19, -16),
)

ROCK = Genre(
    tempo=(96, 156), jitter=0.005, mode=Pick(("major", "mixolydian", "minor")),
    progression=Pick((chords("0 3 4 3"), chords("0 6 3 0"), chords("5 3 0 4"),
                      chords("0 3 4 3", "power"))),
    band=Band(
        drums=Drums(
            patterns=(Beat("kick", Pick(("X.......X.X.....", "X...X...X...X...",
                                         "X.X.....X.X....."))),
                      Beat("snare", BACKBEAT), Beat(Pick(("hat", "ride", "hat")), EIGHTHS)),
            kit=ACOUSTIC, fills=0.4, crash=0.8,
            effects={"reverb": U(0.1, 0.3)}, gains={"hat": 0.6, "ride": 0.5}),
        bass=Bass("root8", BASS_GUITAR, effects={"lowpass": U(800, 2000), "drive": U(0, 1.5)}),
        parts=(
            Part("power", Pick((DIST_GUITAR, GUITAR)), centre=57, length=U(1.0, 2.0),
                 pattern=Pick(("X.x.x.x.X.x.x.x.", "X.......X.......", "X..x..x.X..x..x.")),
                 effects={"drive": U(2, 7, ARTIST), "lowpass": U(3000, 6000), "highpass": 80,
                          "reverb": 0.2}),
            maybe(0.4, Part("riff", GUITAR, centre=69, durations=(1, 2, 2, 4), density=0.7,
                            motif_bars=2, scale="minor_pentatonic", rest_every=2, db=-4.0,
                            effects={"drive": 4, "lowpass": 5000, "reverb": 0.3})),
        ),
    ),
    vocals=Vocals("sing", chance=0.85, female=Chance(0.3, by=ARTIST)),
    stem_db=(-17, -19, -17, -17),
)

# fmt: on

FAMILIES = {
    "edm": {
        "techno": TECHNO,
        "house": HOUSE,
        "trance": TRANCE,
        "drum_and_bass": DRUM_AND_BASS,
        "dubstep": DUBSTEP,
        "trap": TRAP,
    },
    "gtzan": {
        "blues": BLUES,
        "classical": CLASSICAL,
        "country": COUNTRY,
        "disco": DISCO,
        "hiphop": HIPHOP,
        "jazz": JAZZ,
        "metal": METAL,
        "pop": POP,
        "reggae": REGGAE,
        "rock": ROCK,
    },
}

"""Voices and effects of the synthetic genre corpus: numpy and scipy only.

Every function works on float32 mono arrays at sample rate `sr`; randomness comes from a
`numpy.random.Generator` passed in, never from global state, so a render is a pure function of
its seed. Oscillators read band-limited wavetables (harmonics stop below Nyquist), so they are
cheap and do not alias audibly; one-shot drums are rendered once per track and placed at every
hit.
"""

import functools

import numpy as np
from scipy import signal

TABLE_SIZE = 4096  # 2**12: the top 12 bits of the phase index it
# Harmonic counts a wavetable is built with; a note uses the largest one below Nyquist.
_HARMONIC_GRID = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)
_ORGAN_DRAWBARS = {1: 1.0, 2: 0.8, 3: 0.55, 4: 0.5, 6: 0.3, 8: 0.3, 10: 0.12, 12: 0.1, 16: 0.08}

# Peterson & Barney (1952) average formants of adult male speakers: (F1, F2, F3) in Hz.
VOWELS = {
    "a": (730.0, 1090.0, 2440.0),
    "e": (530.0, 1840.0, 2480.0),
    "i": (270.0, 2290.0, 3010.0),
    "o": (570.0, 840.0, 2410.0),
    "u": (300.0, 870.0, 2240.0),
}


def midi_hz(midi):
    """Frequency in Hz of a (fractional) MIDI note number."""
    return 440.0 * 2.0 ** ((np.asarray(midi, dtype=np.float64) - 69.0) / 12.0)


@functools.lru_cache(maxsize=512)
def _table(shape, n_harmonics):
    k = np.arange(1, n_harmonics + 1, dtype=np.float64)
    if shape == "saw":
        amps = 1.0 / k
    elif shape == "square":
        amps = np.where(k % 2 == 1, 1.0 / k, 0.0)
    elif shape == "triangle":
        amps = np.where(k % 2 == 1, (-1.0) ** ((k - 1) // 2) / k**2, 0.0)
    elif shape == "sine":
        amps = (k == 1).astype(np.float64)
    elif shape == "glottal":
        amps = 1.0 / k**1.4
    elif shape == "reed":
        amps = np.where(k % 2 == 1, 1.0 / k, 0.25 / k)
    elif shape == "organ":
        amps = np.array([_ORGAN_DRAWBARS.get(int(h), 0.0) for h in k])
    elif shape == "piano":
        amps = 1.0 / k**1.5 * (1.0 + 0.5 * np.sin(k * 1.7))
    else:
        raise ValueError(f"unknown oscillator shape {shape!r}")
    spectrum = np.zeros(TABLE_SIZE // 2 + 1, dtype=np.complex128)
    spectrum[1 : n_harmonics + 1] = -1j * amps * TABLE_SIZE / 2
    table = np.fft.irfft(spectrum, TABLE_SIZE)
    return (table / np.max(np.abs(table))).astype(np.float32)


def osc(freq, n, sr, shape="saw", phase=0.0):
    """Band-limited wavetable oscillator.

    Args:
        freq: frequency in Hz, a scalar or an array of `n` per-sample values (glides, vibrato).
        n: number of samples.
        sr: sample rate in Hz.
        shape: `"saw"`, `"square"`, `"triangle"`, `"sine"`, `"glottal"`, `"reed"`, `"organ"` or
            `"piano"`.
        phase: start phase in cycles.

    Returns:
        float32 array of shape `(n,)` in [-1, 1].
    """
    # A 32-bit phase accumulator that wraps by itself: integer maths is about 3x faster than
    # float phases and exact over any length.
    freq = np.asarray(freq, dtype=np.float64)
    start = np.uint32(int((phase % 1.0) * 2**32) & 0xFFFFFFFF)
    if freq.ndim == 0:
        increment = np.uint32(int(round(float(freq) / sr * 2**32)) & 0xFFFFFFFF)
        phases = np.arange(n, dtype=np.uint32) * increment + start
        f_max = float(freq)
    else:
        increments = np.round(freq[:n] / sr * 2**32).astype(np.int64).astype(np.uint32)
        phases = np.cumsum(increments, dtype=np.uint32) + start
        f_max = float(freq.max()) if freq.size else 1.0
    limit = sr / 2.0 / max(f_max, 1.0)
    n_harmonics = max(h for h in _HARMONIC_GRID if h <= max(limit, 1.0))
    index = phases >> np.uint32(32 - 12)
    return _table(shape, n_harmonics)[index]


def adsr(n, sr, attack, decay, sustain, release, gate):
    """Attack-decay-sustain-release envelope of `n` samples whose key is held `gate` samples."""
    t = np.arange(n, dtype=np.float32) / sr
    attack = max(attack, 1e-4)
    env = np.where(
        t < attack, t / attack, sustain + (1.0 - sustain) * np.exp(-(t - attack) / max(decay, 1e-4))
    )
    env *= np.exp(-np.maximum(t - gate / sr, 0.0) / max(release, 1e-4))
    return env.astype(np.float32)


def exp_env(n, sr, decay, attack=0.001):
    """Fast attack, exponential decay with time constant `decay` seconds."""
    t = np.arange(n, dtype=np.float32) / sr
    return (np.minimum(t / attack, 1.0) * np.exp(-t / decay)).astype(np.float32)


# filters -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _butter(kind, cutoff, sr, order):
    nyquist = sr / 2.0
    if kind == "bandpass":
        low, high = cutoff
        cutoff = (min(max(low, 10.0), 0.9 * nyquist), min(max(high, low * 1.1), 0.95 * nyquist))
    else:
        cutoff = min(max(cutoff, 10.0), 0.95 * nyquist)
    return signal.butter(order, cutoff, btype=kind, fs=sr, output="sos")


def lowpass(x, cutoff, sr, order=2):
    return signal.sosfilt(_butter("lowpass", round(float(cutoff)), sr, order), x).astype(np.float32)


def highpass(x, cutoff, sr, order=2):
    return signal.sosfilt(_butter("highpass", round(float(cutoff)), sr, order), x).astype(
        np.float32
    )


def bandpass(x, low, high, sr, order=2):
    sos = _butter("bandpass", (round(float(low)), round(float(high))), sr, order)
    return signal.sosfilt(sos, x).astype(np.float32)


@functools.lru_cache(maxsize=2048)
def _rbj(kind, freq, q, sr):
    # Robert Bristow-Johnson's Audio EQ Cookbook biquads, as one second-order section.
    w0 = 2.0 * np.pi * min(freq, 0.45 * sr) / sr
    alpha = np.sin(w0) / (2.0 * q)
    cos = np.cos(w0)
    if kind == "lowpass":
        b = [(1 - cos) / 2, 1 - cos, (1 - cos) / 2]
    else:  # band-pass with 0 dB peak gain
        b = [alpha, 0.0, -alpha]
    a = [1 + alpha, -2 * cos, 1 - alpha]
    return np.array([[*(np.array(b) / a[0]), 1.0, a[1] / a[0], a[2] / a[0]]])


def swept_lowpass(x, cutoff, sr, q=3.0, n_bands=10):
    """Resonant low-pass whose cutoff follows the per-sample curve `cutoff` (Hz).

    A bank of fixed resonant filters at log-spaced cutoffs, cross-faded by the curve: cheap,
    vectorised, and without the instability of recomputing biquad coefficients every sample.
    """
    lo, hi = float(np.min(cutoff)), float(np.max(cutoff))
    hi = max(hi, lo * 1.01)
    centres = np.geomspace(lo, hi, n_bands)
    bank = np.empty((n_bands, x.shape[0]), np.float32)
    for i, c in enumerate(centres):
        bank[i] = signal.sosfilt(_rbj("lowpass", round(float(c)), round(q, 2), sr), x)
    position = np.log(np.asarray(cutoff, np.float32) / lo) * np.float32(
        (n_bands - 1) / np.log(hi / lo)
    )
    below = np.clip(position.astype(np.int64), 0, n_bands - 2)
    frac = np.clip(position - below, 0.0, 1.0).astype(np.float32)
    # flat indices into the bank: one 1-D gather per neighbour is much faster than 2-D indexing
    flat = below * x.shape[0] + np.arange(x.shape[0])
    bank = bank.ravel()
    return bank[flat] * (1 - frac) + bank[flat + x.shape[0]] * frac


# effects -----------------------------------------------------------------------------------


def distort(x, drive):
    """tanh waveshaper normalised so that a full-scale input stays full scale."""
    if drive <= 0:
        return x
    return (np.tanh(drive * x) / np.tanh(drive)).astype(np.float32)


def reverb_ir(sr, rt60, rng, brightness=5000.0, predelay=0.015):
    """Exponentially decaying noise impulse response (a plausible room, not a measured one)."""
    n = int(min(rt60, 2.0) * sr)
    t = np.arange(n, dtype=np.float32) / sr
    tail = rng.standard_normal(n).astype(np.float32) * np.exp(-6.9 * t / rt60)
    tail = lowpass(tail, brightness, sr, order=1)
    tail /= np.sqrt(np.sum(tail**2)) + 1e-9
    return np.concatenate([np.zeros(int(predelay * sr), np.float32), tail])


def echo(x, delay_samples, feedback, taps=4):
    """Feed-forward multi-tap echo (a feedback delay unrolled to `taps` repeats)."""
    y = x.copy()
    for i in range(1, taps + 1):
        d = i * delay_samples
        if d >= x.shape[0]:
            break
        y[d:] += feedback**i * x[:-d]
    return y


def place(buffer, sound, start, gain=1.0):
    """Adds `sound * gain` into `buffer` from sample `start`, cropped at either end."""
    start = int(start)
    if start >= buffer.shape[0] or start + sound.shape[0] <= 0:
        return
    skip = max(0, -start)
    end = min(buffer.shape[0], start + sound.shape[0])
    buffer[start + skip : end] += gain * sound[skip : end - start]


# drums -------------------------------------------------------------------------------------


def kick(sr, rng, f_start=150.0, f_end=50.0, pitch_decay=0.03, decay=0.3, click=0.3, drive=1.5):
    """Sine with a falling pitch sweep (the 808/909 recipe), a noise click and saturation."""
    n = int(min(5 * decay, 2.5) * sr)
    t = np.arange(n) / sr
    freq = f_end + (f_start - f_end) * np.exp(-t / pitch_decay)
    body = np.sin(2 * np.pi * np.cumsum(freq) / sr) * np.exp(-t / decay)
    noise = highpass(rng.standard_normal(n).astype(np.float32), 1500, sr)
    y = body + click * noise * np.exp(-t / 0.003)
    return distort(y.astype(np.float32), drive)


def snare(
    sr, rng, tone=190.0, tone_decay=0.06, noise_decay=0.15, noise_band=(1500, 8000), tone_mix=0.4
):
    """Two damped drum-head modes plus band-passed noise for the snares."""
    n = int(min(5 * max(tone_decay, noise_decay), 1.5) * sr)
    t = np.arange(n) / sr
    head = (np.sin(2 * np.pi * tone * t) + 0.5 * np.sin(2 * np.pi * 1.47 * tone * t)) * np.exp(
        -t / tone_decay
    )
    wires = bandpass(rng.standard_normal(n).astype(np.float32), *noise_band, sr) * np.exp(
        -t / noise_decay
    )
    wires /= np.max(np.abs(wires)) + 1e-9
    return (tone_mix * head + (1 - tone_mix) * wires).astype(np.float32)


def clap(sr, rng, decay=0.15, centre=1200.0):
    """Three short noise bursts ~10 ms apart then a diffuse tail, band-passed around `centre`."""
    n = int((0.04 + 5 * decay) * sr)
    t = np.arange(n) / sr
    env = np.exp(-np.maximum(t - 0.03, 0) / decay) * (t >= 0.03)
    for burst in (0.0, 0.01, 0.02):
        env = env + (t >= burst) * np.exp(-np.maximum(t - burst, 0) / 0.004)
    y = bandpass(rng.standard_normal(n).astype(np.float32), 0.6 * centre, 2.2 * centre, sr)
    return (y * env / (np.max(np.abs(y * env)) + 1e-9)).astype(np.float32)


def metal(sr, rng, decay=0.05, tune=1.0, noise=0.4, cutoff=6500.0, attack=0.0005):
    """Hi-hats and cymbals: six detuned square waves (the TR-808 ratios) plus noise, high-passed."""
    n = int(min(5 * decay, 3.0) * sr)
    y = np.zeros(n, np.float32)
    for f in (205.3, 304.4, 369.6, 522.7, 540.0, 800.0):
        y += osc(f * tune * 2.0, n, sr, "square", rng.random())
    y = (1 - noise) * y / 6 + noise * rng.standard_normal(n).astype(np.float32)
    y = highpass(y, min(cutoff, 0.4 * sr), sr, order=2)
    y *= exp_env(n, sr, decay, attack)
    return (y / (np.max(np.abs(y)) + 1e-9)).astype(np.float32)


def rim(sr, rng, freq=1700.0, decay=0.015):
    n = int(6 * decay * sr)
    t = np.arange(n) / sr
    y = np.sin(2 * np.pi * freq * t) + 0.3 * rng.standard_normal(n)
    return (y * np.exp(-t / decay)).astype(np.float32)


def tom(sr, rng, freq=110.0, decay=0.25):
    return kick(sr, rng, f_start=1.6 * freq, f_end=freq, pitch_decay=0.05, decay=decay, click=0.1)


def shaker(sr, rng, decay=0.04):
    n = int(5 * decay * sr)
    y = highpass(rng.standard_normal(n).astype(np.float32), min(5000, 0.4 * sr), sr)
    return (y * exp_env(n, sr, decay, attack=0.006) / 3).astype(np.float32)


def brush(sr, rng, decay=0.12):
    n = int(5 * decay * sr)
    y = bandpass(rng.standard_normal(n).astype(np.float32), 1500, 6000, sr)
    return (y * exp_env(n, sr, decay, attack=0.02) / 2).astype(np.float32)


def drum(kind, sr, rng, **params):
    """One-shot drum sound by name (`kick`, `snare`, `clap`, `hat`, `open_hat`, `ride`, ...)."""
    if kind == "kick":
        return kick(sr, rng, **params)
    if kind == "snare":
        return snare(sr, rng, **params)
    if kind == "clap":
        return clap(sr, rng, **params)
    if kind in ("hat", "open_hat", "ride", "crash"):
        return metal(sr, rng, **params)
    if kind == "rim":
        return rim(sr, rng, **params)
    if kind == "tom":
        return tom(sr, rng, **params)
    if kind == "shaker":
        return shaker(sr, rng, **params)
    if kind == "brush":
        return brush(sr, rng, **params)
    raise ValueError(f"unknown drum {kind!r}")


# pitched notes -----------------------------------------------------------------------------


def note(inst, midi, gate, sr, rng, glide_from=None):
    """Renders one note of instrument `inst` (a dict of synthesis settings).

    Args:
        inst: settings: `layers` (list of `(shape, level, decay_s or None, detune_semitones,
            voices)`), `adsr` (attack, decay, sustain, release in seconds and level), optional
            `fm` (`(ratio, index, index_decay_s)`, replaces the layers by a two-operator FM
            voice), `vibrato` (`(rate_hz, depth_semitones)`), `glide` (seconds) and `bend`
            (semitones of a pitch scoop at the start, as a guitarist's bend).
        midi: MIDI note number.
        gate: samples the key is held.
        sr: sample rate.
        rng: random generator (oscillator phases).
        glide_from: MIDI note to glide from (808s, legato leads), or None.

    Returns:
        float32 array: the note including its release tail.
    """
    attack, decay, sustain, release = inst["adsr"]
    n = int(gate + min(4 * release, 3.0) * sr)
    n = max(n, 16)
    t = np.arange(n) / sr
    pitch = np.full(n, float(midi))
    if glide_from is not None and inst.get("glide", 0) > 0:
        pitch += (glide_from - midi) * np.exp(-t / inst["glide"])
    if inst.get("bend"):
        pitch -= inst["bend"] * np.exp(-t / 0.06)
    if inst.get("vibrato"):
        rate, depth = inst["vibrato"]
        pitch += depth * np.minimum(t / 0.4, 1.0) * np.sin(2 * np.pi * rate * t)
    constant = glide_from is None and not inst.get("bend") and not inst.get("vibrato")
    freq = float(midi_hz(midi)) if constant else midi_hz(pitch)
    if "fm" in inst:
        ratio, index, index_decay = inst["fm"]
        f = np.full(n, freq) if constant else freq
        mod_phase = 2 * np.pi * np.cumsum(f * ratio) / sr
        carrier_phase = 2 * np.pi * np.cumsum(f) / sr + rng.random() * 2 * np.pi
        y = np.sin(carrier_phase + index * np.exp(-t / index_decay) * np.sin(mod_phase))
        y = y.astype(np.float32)
    else:
        y = np.zeros(n, np.float32)
        for shape, level, layer_decay, detune, voices in inst["layers"]:
            layer = np.zeros(n, np.float32)
            for v in range(voices):
                offset = detune * (2 * v / (voices - 1) - 1) if voices > 1 else detune
                layer += osc(freq * 2 ** (offset / 12), n, sr, shape, rng.random())
            layer *= level / np.sqrt(voices)
            if layer_decay is not None:
                layer *= exp_env(n, sr, layer_decay)
            y += layer
    return y * adsr(n, sr, attack, decay, sustain, release, gate)


def voice_note(
    midi,
    gate,
    sr,
    rng,
    vowel="a",
    formant_shift=1.0,
    breath=0.08,
    growl=0.0,
    vibrato=(5.5, 0.3),
    glide_from=None,
    attack=0.03,
    release=0.08,
):
    """A sung syllable: glottal source through three formant band-passes (a vowel).

    Args:
        midi: sung pitch.
        gate: samples the syllable is held.
        vowel: one of `VOWELS` (Peterson & Barney male formants, scaled by `formant_shift`; 1.15
            to 1.2 approximates female voices).
        breath: level of aspiration noise mixed into the source.
        growl: 0 for clean singing; > 0 adds noise modulation and saturation (metal growls).
        vibrato: `(rate_hz, depth_semitones)`.
        glide_from: previous pitch for portamento, or None.

    Returns:
        float32 array.
    """
    n = max(int(gate + 4 * release * sr), 32)
    t = np.arange(n) / sr
    pitch = np.full(n, float(midi))
    if glide_from is not None:
        pitch += (glide_from - midi) * np.exp(-t / 0.05)
    rate, depth = vibrato
    pitch += depth * np.minimum(t / 0.3, 1.0) * np.sin(2 * np.pi * rate * t)
    source = osc(midi_hz(pitch), n, sr, "glottal", rng.random())
    noise = rng.standard_normal(n).astype(np.float32)
    if growl > 0:
        rough = lowpass(noise, 70, sr, order=1)
        source = distort(source * (1 + growl * 8 * rough) + growl * 0.3 * noise, 1 + 3 * growl)
    source = source + breath * noise
    y = signal.sosfilt(_formants(vowel, round(formant_shift, 3), sr), source).astype(np.float32)
    return y * adsr(n, sr, attack, 0.2, 0.8, release, gate)


@functools.lru_cache(maxsize=256)
def _formants(vowel, formant_shift, sr):
    # The three formant band-passes in parallel (gains 1, 0.6, 0.3), as one transfer function
    # factored into second-order sections: one filter call per syllable instead of three.
    b_sum, a_all = np.zeros(1), np.ones(1)
    for formant, gain, q in zip(VOWELS[vowel], (1.0, 0.6, 0.3), (6.0, 9.0, 12.0)):
        section = _rbj("bandpass", round(formant * formant_shift), q, sr)[0]
        b, a = gain * section[:3], section[3:]
        b_sum = np.polyadd(np.polymul(b_sum, a), np.polymul(b, a_all))
        a_all = np.polymul(a_all, a)
    return signal.tf2sos(b_sum, a_all)


def consonant(sr, rng, kind="s"):
    """Unvoiced consonant burst: `s` (hiss), `t` (click) or `k` (low burst)."""
    length, band, decay = {
        "s": (0.08, (4000, 9000), 0.04),
        "t": (0.03, (2500, 7000), 0.008),
        "k": (0.04, (1200, 3500), 0.012),
    }[kind]
    n = int(length * sr)
    y = bandpass(rng.standard_normal(n).astype(np.float32), *band, sr)
    return (y * exp_env(n, sr, decay, attack=0.005)).astype(np.float32)

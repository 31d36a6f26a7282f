"""The record every dataset adapter returns."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Track:
    """One labelled recording.

    Args:
        path: path of the audio file (the mix).
        label: genre name, as the dataset spells it.
        track_id: identifier unique within the dataset (file stem, FMA track id, ...).
        group: optional grouping key (artist, album) that splits must keep on one side.
        stems: optional mapping of stem name (`"bass"`, `"drums"`, `"other"`, `"vocals"`) to
            the path of that stem's audio, for corpora that come with true stems.
        split: optional split the dataset itself assigns (`"training"`, `"validation"`,
            `"test"`), e.g. FMA's own split column or ISMIR2004's train/test lists.
    """

    path: str
    label: str
    track_id: str
    group: str | None = None
    stems: dict | None = None
    split: str | None = None

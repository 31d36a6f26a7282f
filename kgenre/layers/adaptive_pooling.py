"""Adaptive average pooling along one axis, exact and O(length).

PyTorch's `AdaptiveAvgPool1d` bins (bin `i` of `n` over `L` samples covers
`[floor(i L / n), ceil((i + 1) L / n))`) are what the MS-SincResNet reference code pools with.
`keras.ops.adaptive_average_pool` on TensorFlow and JAX (Keras 3.15) has two problems here:

- it computes the bin edges in float32, so once `i L` passes 2^24 a bin can start or end one
  sample off: for MS-SincResNet's 47,750 -> 1,024 pooling (the 251-tap scale) bins 874 on
  are wrong, by up to 1% of the map's range;
- it average-pools every stride-1 window of both bin widths and then gathers, `O(L x width)`.

Here the edges are exact integers (numpy) and the pooling is a product with a banded matrix,
cut into blocks: the pooled axis is split into blocks of `S` samples (about ten bin widths),
each block is multiplied by its own `(S, K)` slice of the pooling matrix (`K`: the bins that
touch the block, about `S / width + 2`), and each bin adds its (at most two) blocks' partial
sums. That is about `K` multiply-adds per sample in one batched matrix product, whose
gradient is a matrix product too: no gather or scatter over the long axis (a scatter-add was
the gradient of the earlier gather version and cost more than the pooling itself in
training; BENCHMARKS.md). PyTorch has the operation natively, with exact edges, so the torch
backend keeps it.
"""

import functools

import keras
import numpy as np
from keras import ops


def adaptive_bins(length, output_size):
    """`(starts, ends)` of PyTorch's adaptive pooling bins, numpy int arrays `(output_size,)`."""
    if output_size < 1 or length < 1:
        raise ValueError(f"need length >= 1 and output_size >= 1, got {length}, {output_size}")
    i = np.arange(output_size)
    return (i * length) // output_size, -((-(i + 1) * length) // output_size)


def _block_length(total, widest):
    """A block length for `block_pooling_plan`: a divisor of `total` near ten bin widths, so
    that the pooled axis reshapes into blocks without padding, else ten bin widths."""
    target = 10 * widest
    if total <= 2 * target:
        return total
    divisors = [d for d in range(4 * widest, 16 * widest + 1) if total % d == 0]
    return min(divisors, key=lambda d: abs(d - target)) if divisors else target


@functools.lru_cache(maxsize=32)
def block_pooling_plan(length, output_size, total):
    """The blocked pooling matrix for `length` samples (the first ones of an axis of `total`).

    Returns:
        `(matrix, slots, block)`: `matrix` float32 `(blocks, block, K)`, where `matrix[b, s,
        k]` is the weight of sample `b * block + s` in bin `first[b] + k` (rows past `length`
        are zero); `slots` int32 `(output_size, 2)`, the two flat `(block, k)` indices of
        each bin's partial sums in the `(blocks * K + 1)` products, the last one a zero.
    """
    if total < length:
        raise ValueError(f"the pooled axis has {total} samples, fewer than length={length}")
    starts, ends = adaptive_bins(length, output_size)
    widths = ends - starts
    widest = int(widths.max())
    block = _block_length(total, widest)
    blocks = -(-total // block)
    # every (bin, sample) pair
    offsets = np.arange(widest)
    inside = offsets[None, :] < widths[:, None]
    bins = np.broadcast_to(np.arange(output_size)[:, None], inside.shape)[inside]
    samples = (starts[:, None] + offsets[None, :])[inside]
    weights = np.broadcast_to((1.0 / widths)[:, None], inside.shape)[inside]
    block_of = samples // block
    first = np.full(blocks, output_size, dtype=np.int64)
    np.minimum.at(first, block_of, bins)
    last = np.full(blocks, -1, dtype=np.int64)
    np.maximum.at(last, block_of, bins)
    width_k = int(np.max(last - first + 1))
    matrix = np.zeros((blocks, block, width_k), dtype="float32")
    k = bins - first[block_of]
    matrix[block_of, samples % block, k] = weights
    # each bin's partial sums: in the block of its first sample, and of its last if another
    index = np.arange(output_size)
    first_block, last_block = starts // block, (ends - 1) // block
    slots = np.stack(
        [
            first_block * width_k + index - first[first_block],
            np.where(
                last_block != first_block,
                last_block * width_k + index - first[last_block],
                blocks * width_k,
            ),
        ],
        axis=1,
    ).astype("int32")
    return matrix, slots, block


def adaptive_average_pool(x, output_size, axis=-1, length=None):
    """Averages `x` along `axis` into `output_size` PyTorch-style bins.

    Args:
        x: tensor with a static length on `axis`.
        output_size: bins.
        axis: the axis to pool, e.g. -1 for `(batch, channels, time)` or 1 for
            `(batch, time, channels)`.
        length: pool only the first `length` samples of `axis` (the rest is ignored, and
            gets no gradient). Defaults to the whole axis.

    Returns:
        `x` with `axis` of length `output_size`.
    """
    ndim = len(x.shape)
    axis = axis % ndim
    total = x.shape[axis]
    if total is None:
        raise ValueError("adaptive pooling needs a static length on the pooled axis")
    length = total if length is None else int(length)
    if not 1 <= length <= total:
        raise ValueError(f"length must be in [1, {total}], got {length}")
    if ndim == 1:
        return adaptive_average_pool(x[None], output_size, -1, length)[0]
    if axis != ndim - 1:
        x = ops.moveaxis(x, axis, -1)
        return ops.moveaxis(adaptive_average_pool(x, output_size, -1, length), -1, axis)
    if keras.backend.backend() == "torch" and ndim == 3:
        if length < total:
            x = x[..., :length]
        return ops.adaptive_average_pool(x, output_size, data_format="channels_first")
    matrix, slots, block = block_pooling_plan(length, output_size, total)
    blocks, _, width_k = matrix.shape
    lead = tuple(ops.shape(x)[1:-1])  # static where known, else dynamic (TensorFlow)
    if blocks * block > total:
        x = ops.pad(x, [(0, 0)] * (ndim - 1) + [(0, blocks * block - total)])
    x = ops.reshape(x, (-1, blocks, block))
    partial = ops.einsum("rbs,bsk->rbk", x, ops.cast(matrix, x.dtype))
    partial = ops.pad(ops.reshape(partial, (-1, blocks * width_k)), ((0, 0), (0, 1)))
    pooled = ops.sum(ops.take(partial, slots, axis=1), axis=-1)
    return ops.reshape(pooled, (-1,) + lead + (output_size,))

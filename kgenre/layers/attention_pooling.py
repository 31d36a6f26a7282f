import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kgenre")
class AttentionPooling(keras.layers.Layer):
    """Spatio-temporal attention pooling (Phan et al., Interspeech 2019).

    Reduces a sequence of features to one embedding with two learned soft attentions, one over
    time and one over the spectral (or feature) axis, whose outer product weights the input.

    On a 4D map `X` of shape `(T, F, C)` (time, frequency, channels):

        alpha_t = softmax_t( w_a . mean_f X[t, f, :] + b_a )       (temporal, sums to 1)
        beta_f  = softmax_f( w_b . mean_t X[t, f, :] + b_b )       (spectral, sums to 1)
        A[t, f] = alpha_t * beta_f                                 (sums to 1 over t, f)
        z[c]    = sum_t sum_f A[t, f] X[t, f, c]                   -> shape (C,)

    On a 3D sequence `X` of shape `(T, F)` (e.g. the outputs of the bidirectional GRU in the
    multi-view CRNN of seed 003), the feature axis plays the spectral role:

        alpha_t = softmax_t( X[t, :] . w_a + b_a )                 (temporal, sums to 1)
        beta    = softmax( W_b mean_t X[t, :] + b_b )               (over the F features)
        A[t, f] = alpha_t * beta_f                                 (sums to 1 over t, f)
        z[f]    = F * sum_t A[t, f] X[t, f]                        -> shape (F,)

    The constant factor `F` makes uniform feature weights give exactly the temporal attention
    average, so the embedding's scale does not shrink with the width; it does not change the
    normalised weights. `attention_weights(x)` returns `(alpha, beta)` for plots.

    What is kgenre's. Seed 003 only names this pooling ("spatio-temporal attention pooling
    suggested in [8]"), and the text of Phan et al. (2019) is not at hand, so the equations
    above are kgenre's reading of the idea (a temporal and a spectral softmax attention whose
    outer product weights the input), not a transcription. These details are our choices:

    - the inputs of the scores: the spectral attention sees the time-mean of the features
      (`mean_t X`), the temporal attention on a 4D map sees the frequency-mean;
    - the scores are linear (an affine map straight into the softmax, with no `tanh` or other
      hidden layer);
    - the shapes of the spectral weights: on a 3D input `W_b` is a full `(F, F)` matrix and
      `b_b` has `F` entries (each feature's score depends on the whole mean vector); on a 4D
      input `w_b` is `(C, 1)` and `b_b` a scalar, shared by the frequency bins; `w_a` is
      `(F, 1)` or `(C, 1)` with a scalar `b_a`;
    - the factor `F` on 3D inputs, and glorot-uniform kernels with zero biases.

    Args:
        **kwargs: base layer arguments.

    Input shape:
        `(batch, time, features)` or `(batch, time, freq, channels)`.

    Output shape:
        `(batch, features)` or `(batch, channels)`.

    Example:

    >>> pool = AttentionPooling()
    >>> tuple(pool(np.zeros((2, 10, 64), "float32")).shape)
    (2, 64)

    References:
        - Phan, Chén, Pham, Koch, De Vos, McLoughlin & Mertins, "Spatio-temporal attention
          pooling for audio scene classification", Interspeech 2019.
        - Phan et al., multi-view audio and music classification (kgenre seed 003): the view
          embeddings are this pooling of the recurrent outputs.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.input_spec = keras.layers.InputSpec(min_ndim=3, max_ndim=4)

    def build(self, input_shape):
        self._rank = len(input_shape)
        width = input_shape[-1]
        if width is None:
            raise ValueError(f"the last axis of the input must be known, got {input_shape}")
        if self._rank == 4 and input_shape[2] is None:
            raise ValueError(f"the frequency axis must be known, got {input_shape}")
        self.temporal_kernel = self.add_weight(
            name="temporal_kernel", shape=(width, 1), initializer="glorot_uniform"
        )
        self.temporal_bias = self.add_weight(name="temporal_bias", shape=(1,), initializer="zeros")
        spectral_out = 1 if self._rank == 4 else width
        self.spectral_kernel = self.add_weight(
            name="spectral_kernel", shape=(width, spectral_out), initializer="glorot_uniform"
        )
        self.spectral_bias = self.add_weight(
            name="spectral_bias", shape=(spectral_out,), initializer="zeros"
        )

    def attention_weights(self, inputs):
        """Returns `(alpha, beta)`: temporal `(batch, time)` and spectral weights."""
        x = ops.cast(inputs, self.compute_dtype)
        if len(x.shape) == 4:
            over_time = ops.mean(x, axis=2)
            over_freq = ops.mean(x, axis=1)
            alpha = ops.matmul(over_time, self.temporal_kernel)[..., 0] + self.temporal_bias
            beta = ops.matmul(over_freq, self.spectral_kernel)[..., 0] + self.spectral_bias
        else:
            alpha = ops.matmul(x, self.temporal_kernel)[..., 0] + self.temporal_bias
            beta = ops.matmul(ops.mean(x, axis=1), self.spectral_kernel) + self.spectral_bias
        # softmax in float32: under mixed precision bf16 sums drift from 1
        alpha = ops.softmax(ops.cast(alpha, "float32"), axis=-1)
        beta = ops.softmax(ops.cast(beta, "float32"), axis=-1)
        return alpha, beta

    def call(self, inputs):
        x = ops.cast(inputs, self.compute_dtype)
        alpha, beta = self.attention_weights(x)
        alpha = ops.cast(alpha, self.compute_dtype)
        beta = ops.cast(beta, self.compute_dtype)
        if len(x.shape) == 4:
            weights = ops.expand_dims(alpha, 2) * ops.expand_dims(beta, 1)
            return ops.einsum("btf,btfc->bc", weights, x)
        width = x.shape[-1]
        pooled = ops.einsum("bt,btf->bf", alpha, x)
        return pooled * beta * ops.cast(width, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1])

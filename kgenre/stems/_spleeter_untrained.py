"""Writes an untrained Spleeter checkpoint with Spleeter's own graph builder.

Runs in the Spleeter environment (not in kgenre's): `python -I _spleeter_untrained.py
MODEL_NAME OUTPUT_DIR SEED`. kgenre calls it through
`kgenre.stems.spleeter_env.make_untrained_model`.
"""

import os
import sys


def main(model_name, output_dir, seed):
    import tensorflow as tf
    from spleeter.model import EstimatorSpecBuilder, InputProviderFactory
    from spleeter.model.provider import ModelProvider
    from spleeter.utils.configuration import load_configuration

    params = load_configuration(f"spleeter:{model_name}")
    params["model_dir"] = output_dir
    tf.compat.v1.disable_eager_execution()
    tf.compat.v1.set_random_seed(seed)
    features = InputProviderFactory.get(params).get_input_dict_placeholders()
    EstimatorSpecBuilder(features, params).build_predict_model()
    tf.compat.v1.train.create_global_step()
    with tf.compat.v1.Session() as session:
        session.run(tf.compat.v1.global_variables_initializer())
        # Relative paths: kgenre writes into a staging folder and renames it afterwards.
        saver = tf.compat.v1.train.Saver(save_relative_paths=True)
        saver.save(session, os.path.join(output_dir, "model"))
    ModelProvider.writeProbe(output_dir)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))

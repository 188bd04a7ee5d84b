"""The LeNet-5 of detector/model, run with numpy from its tfjs artifacts.

The EMR image has no TensorFlow: this reads the tfjs layers format (model.json +
weights.bin), a functional graph (inputs: the scalogram image and the level
features) or a plain sequence of layers, and implements exactly the layers the
model uses — InputLayer, Conv2D ('valid', stride 1, NHWC), BatchNormalization
(moving statistics), Activation, MaxPooling2D and AveragePooling2D ('valid'), Flatten, Dropout
(inactive at inference), Dense, Concatenate. Shared fixtures hold it to tfjs's
probabilities within 1e-5. Python 3.9-compatible.
"""
import hashlib
import json
import os

import numpy as np

from pvfault.alarms import check_raise, check_threshold_sets

_SUPPORTED = {"InputLayer", "Conv2D", "MaxPooling2D", "AveragePooling2D", "Flatten", "Dropout", "Dense", "BatchNormalization", "Activation", "Concatenate"}


def _activation(name, x):
    if name in (None, "linear"):
        return x
    if name == "relu":
        return np.maximum(x, 0)
    if name == "softmax":
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    raise ValueError("unsupported activation %r" % name)


def _conv2d_valid(x, kernel, bias):
    """x: (n, h, w, c) float32; kernel: (kh, kw, c, f); stride 1, no padding."""
    n, h, w, c = x.shape
    kh, kw, _, f = kernel.shape
    oh, ow = h - kh + 1, w - kw + 1
    # im2col through strides: (n, oh, ow, kh, kw, c) without copying
    s = x.strides
    patches = np.lib.stride_tricks.as_strided(x, shape=(n, oh, ow, kh, kw, c), strides=(s[0], s[1], s[2], s[1], s[2], s[3]), writeable=False)
    out = np.tensordot(patches, kernel, axes=([3, 4, 5], [0, 1, 2]))
    return out + bias


def _pool(x, size, stride, reduce):
    """'valid' pooling of (n, h, w, c) by `reduce` (np.max or np.mean) over each window."""
    n, h, w, c = x.shape
    ph, pw = size
    sh, sw = stride
    oh, ow = (h - ph) // sh + 1, (w - pw) // sw + 1
    s = x.strides
    windows = np.lib.stride_tricks.as_strided(x, shape=(n, oh, ow, ph, pw, c), strides=(s[0], s[1] * sh, s[2] * sw, s[1], s[2], s[3]), writeable=False)
    return reduce(windows, axis=(3, 4))


def _inbound(layer):
    """Names of the layers feeding `layer` (its one inbound node)."""
    nodes = layer.get("inbound_nodes") or []
    if len(nodes) != 1:
        raise ValueError("layer %s is used %d times; only single-use layers are supported" % (layer["config"]["name"], len(nodes)))
    return [entry[0] for entry in nodes[0]]


class Lenet(object):
    def __init__(self, model_json, weights, normalization):
        topology = model_json["modelTopology"]
        config = topology.get("config", topology.get("model_config", {}).get("config"))
        self.layers = config["layers"]
        for layer in self.layers:
            if layer["class_name"] not in _SUPPORTED:
                raise ValueError("layer %s is not supported by the numpy runtime" % layer["class_name"])
        if "input_layers" not in config:
            raise ValueError("model.json is not a functional graph with the scalogram and level inputs; retrain it with npm run train")
        self.inputs = [entry[0] for entry in config["input_layers"]]
        outputs = [entry[0] for entry in config["output_layers"]]
        if len(self.inputs) != 2 or len(outputs) != 1:
            raise ValueError("the model has %d inputs and %d outputs; the runtime expects the scalogram and level inputs and one output" % (len(self.inputs), len(outputs)))
        self.output = outputs[0]
        self.weights = weights
        self.scale = normalization["scale"]
        self.levels = normalization.get("levels")
        self.channels = list(normalization["channels"])
        self.model_version = normalization["modelVersion"]

    @classmethod
    def load(cls, directory):
        def read(name):
            with open(os.path.join(directory, name), "rb") as f:
                return f.read()

        return cls.from_bytes(*(read(name) for name in ARTIFACT_FILES))

    @classmethod
    def from_bytes(cls, model_json, weights_bin, normalization_json, alarms_json):
        """The model from its artifact files' contents (ARTIFACT_FILES; the Spark job reads them once on the driver)."""
        model_json = json.loads(model_json)
        normalization = json.loads(normalization_json)
        alarms = json.loads(alarms_json)
        if alarms.get("modelVersion") != normalization.get("modelVersion"):
            raise ValueError("alarms.json was calibrated for model %r, not %r: run npm run calibrate" % (alarms.get("modelVersion"), normalization.get("modelVersion")))
        thresholds = check_threshold_sets(alarms.get("thresholds"), "alarms.json")
        raise_sets = check_raise(alarms.get("raise"), thresholds, "alarms.json")
        blob = bytes(weights_bin)
        weights = {}
        offset = 0
        for group in model_json["weightsManifest"]:
            for spec in group["weights"]:
                if spec["dtype"] != "float32":
                    raise ValueError("weight %s has dtype %s; only float32 is supported" % (spec["name"], spec["dtype"]))
                count = int(np.prod(spec["shape"])) if spec["shape"] else 1
                weights[spec["name"]] = np.frombuffer(blob, dtype="<f4", count=count, offset=offset).reshape(spec["shape"])
                offset += 4 * count
        if offset != len(blob):
            raise ValueError("weights.bin holds %d bytes, the manifest describes %d" % (len(blob), offset))
        model = cls(model_json, weights, normalization)
        model.alarm_thresholds = thresholds  # {"own": {...}, "fleet": {...}}: pvfault.alarms.thresholds_for picks one
        model.raise_thresholds = raise_sets  # the second stage's, same sets: pvfault.alarms.raise_for picks one
        return model

    def _layer(self, kind, cfg, args):
        name = cfg["name"]
        if kind == "Concatenate":
            axis = cfg.get("axis", -1)
            return np.concatenate(args, axis=axis)
        if len(args) != 1:
            raise ValueError("%s: %s takes one input, got %d" % (name, kind, len(args)))
        x = args[0]
        if kind == "Conv2D":
            if cfg.get("padding") != "valid" or list(cfg.get("strides", [1, 1])) != [1, 1]:
                raise ValueError("%s: only stride-1 'valid' convolutions are supported" % name)
            return _activation(cfg.get("activation"), _conv2d_valid(x, self.weights[name + "/kernel"], self.weights[name + "/bias"]))
        if kind in ("MaxPooling2D", "AveragePooling2D"):
            if cfg.get("padding", "valid") != "valid":
                raise ValueError("%s: only 'valid' pooling is supported" % name)
            reduce = np.max if kind == "MaxPooling2D" else np.mean
            return _pool(x, cfg["pool_size"], cfg.get("strides") or cfg["pool_size"], reduce).astype(x.dtype, copy=False)
        if kind == "Flatten":
            return x.reshape(x.shape[0], -1)
        if kind == "Dropout":
            return x
        if kind == "BatchNormalization":
            # inference form: the moving statistics learnt in training
            eps = cfg.get("epsilon", 1e-3)
            inv = 1.0 / np.sqrt(self.weights[name + "/moving_variance"] + eps)
            x = (x - self.weights[name + "/moving_mean"]) * inv
            if cfg.get("scale", True):
                x = x * self.weights[name + "/gamma"]
            if cfg.get("center", True):
                x = x + self.weights[name + "/beta"]
            return x
        if kind == "Activation":
            return _activation(cfg.get("activation"), x)
        if kind == "Dense":
            return _activation(cfg.get("activation"), x @ self.weights[name + "/kernel"] + self.weights[name + "/bias"])
        raise ValueError("layer %s is not supported by the numpy runtime" % kind)

    def predict(self, windows, levels):
        """windows: (n, 64, 64, 4) float32 normalised images; levels: (n, 8) float32 level features
        -> (n, 6) class probabilities."""
        images = np.asarray(windows, dtype=np.float32)
        levels = np.asarray(levels, dtype=np.float32)
        if levels.ndim != 2 or levels.shape[0] != images.shape[0]:
            raise ValueError("predict: %d windows need (%d, n) level features, got shape %s" % (images.shape[0], images.shape[0], levels.shape))
        values = dict(zip(self.inputs, (images, levels)))
        for layer in self.layers:
            if layer["class_name"] == "InputLayer":
                continue
            values[layer["config"]["name"]] = self._layer(layer["class_name"], layer["config"], [values[src] for src in _inbound(layer)])
        return values[self.output].astype(np.float32)


ARTIFACT_FILES = ("model.json", "weights.bin", "normalization.json", "alarms.json")
"""What detector/model/manifest.ts MODEL_FILES lists: the tfjs model, its normalisation and its alarm thresholds."""
_CACHE = {}


def cached_model(artifacts):
    """The model of {file name: bytes}, built once per Python process.

    Spark reuses its Python workers across tasks, so an executor parses the weights once
    per worker instead of once per device-day. The key hashes the small files (the model
    version is in normalization.json) rather than 1.3 MB of weights on every call.
    """
    key = (hashlib.sha256(bytes(artifacts["model.json"]) + bytes(artifacts["normalization.json"]) + bytes(artifacts["alarms.json"])).hexdigest(), len(artifacts["weights.bin"]))
    model = _CACHE.get(key)
    if model is None:
        _CACHE.clear()
        model = _CACHE[key] = Lenet.from_bytes(*(artifacts[n] for n in ARTIFACT_FILES))
    return model

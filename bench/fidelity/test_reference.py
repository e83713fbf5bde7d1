#!/usr/bin/python3
"""Checks of reference.py's pieces that the fidelity comparison leans on (seconds, CPU):

  /usr/bin/python3 -m unittest discover -s bench/fidelity -p 'test_*.py'

- resize_opencv is OpenCV's INTER_LINEAR bit for bit: the OpenCV-generated fixtures that
  jgluon's ResizeTest also uses (tests/data/resize/opencv-resize-fixtures.txt);
- MXNetBatchNorm normalises exactly as nn.BatchNorm does and differs only in the running
  variance: biased σ² where PyTorch folds in m/(m-1)·σ²;
- the loader's batches: 60 000 / 128 = 468 full batches and a last one of 96;
- jgluon_rng.py rebuilds jgluon's draws exactly: Rng.bits, the global stream's seeds, two
  Dropout layers' outputs through the real op path, a shuffling DataLoader's order, all against
  values jgluon printed (rng_fixture.json, made by rng_fixture.js); reference.py's
  --jgluon-draws init gives the weights jgluon_bn.js's network draws, from the same counters.
"""
import json
import os
import unittest

import numpy as np
import torch

import jgluon_rng as J
import reference as R

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "resize",
                        "opencv-resize-fixtures.txt")


class ResizeTest(unittest.TestCase):
    def test_opencv_resize_matches_opencv_fixtures(self):
        lines = open(FIXTURES).read().splitlines()
        checked = 0
        for i in range(0, len(lines), 3):
            h, w, c, oh, ow = map(int, lines[i].split()[1:])
            if c != 1 or oh != ow:
                continue  # the driver resizes square grey images only
            x = np.array(lines[i + 1].split(), dtype=np.float64).astype(np.uint8).reshape(1, h, w)
            want = np.array(lines[i + 2].split(), dtype=np.float64).reshape(oh, ow)
            np.testing.assert_array_equal(R.resize_opencv(x, oh)[0], want, err_msg=lines[i])
            checked += 1
        self.assertGreaterEqual(checked, 6)

    def test_torch_resize_is_within_one_grey_level_of_opencv(self):
        rng = np.random.default_rng(0)
        x = rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
        a = R.resize_torch(x, 67).astype(int)
        b = R.resize_opencv(x, 67).astype(int)
        self.assertLessEqual(np.abs(a - b).max(), 1)
        self.assertGreater((a != b).mean(), 0.01)  # they do differ: the switch means something


class BatchNormTest(unittest.TestCase):
    def test_biased_running_variance_and_same_output(self):
        torch.manual_seed(0)
        x = torch.randn(4, 3, 2, 2) * 2 + 1
        mx, pt = R.MXNetBatchNorm(3), torch.nn.BatchNorm2d(3, eps=1e-5, momentum=0.1)
        torch.testing.assert_close(mx(x), pt(x))
        m = 4 * 2 * 2
        var = x.transpose(0, 1).reshape(3, -1).var(1, unbiased=False)
        mean = x.transpose(0, 1).reshape(3, -1).mean(1)
        torch.testing.assert_close(mx.running_mean, 0.1 * mean)
        torch.testing.assert_close(pt.running_mean, 0.1 * mean)
        torch.testing.assert_close(mx.running_var, 0.9 + 0.1 * var)
        torch.testing.assert_close(pt.running_var, 0.9 + 0.1 * var * m / (m - 1))
        mx.eval(), pt.eval()
        y = torch.randn(2, 3, 2, 2)
        want = (y - mx.running_mean.view(1, 3, 1, 1)) / torch.sqrt(mx.running_var.view(1, 3, 1, 1) + 1e-5)
        torch.testing.assert_close(mx(y), want)


class OtherVarianceTest(unittest.TestCase):
    def test_tracks_the_other_convention_from_the_same_batches(self):
        torch.manual_seed(1)
        for running_var, factor in (("unbiased", 1.0), ("biased", None)):
            net = torch.nn.Sequential(R.MXNetBatchNorm(3) if running_var == "biased" else torch.nn.BatchNorm2d(3, momentum=0.1))
            R.track_other_variance(net)
            bn = net[0]
            xs = [torch.randn(2, 3, 2, 2) * 3 for _ in range(3)]
            for x in xs:
                net(x)
            m = 2 * 2 * 2
            biased = torch.ones(3)
            for x in xs:
                biased = 0.9 * biased + 0.1 * x.transpose(0, 1).reshape(3, -1).var(1, unbiased=False)
            unbiased = torch.ones(3)
            for x in xs:
                unbiased = 0.9 * unbiased + 0.1 * x.transpose(0, 1).reshape(3, -1).var(1, unbiased=True)
            used, other = (unbiased, biased) if running_var == "unbiased" else (biased, unbiased)
            torch.testing.assert_close(bn.running_var, used)
            torch.testing.assert_close(bn.other_var, other)
            net.eval()
            net(xs[0])  # eval mode leaves both alone
            torch.testing.assert_close(bn.other_var, other)
            R.swap_variances(net)
            torch.testing.assert_close(bn.running_var, other)
            torch.testing.assert_close(bn.other_var, used)


class LoaderTest(unittest.TestCase):
    def test_last_partial_batch_and_reshuffling(self):
        x = np.zeros((300, 2, 2), dtype=np.uint8)
        y = np.arange(300, dtype=np.int64)
        loader = R.Loader(x, y, 128, True, torch.Generator().manual_seed(0))
        sizes = [len(b) for _, b in loader]
        self.assertEqual(sizes, [128, 128, 44])
        first = torch.cat([b for _, b in loader])
        second = torch.cat([b for _, b in loader])
        self.assertFalse(torch.equal(first, second))
        self.assertTrue(torch.equal(first.sort().values, torch.arange(300)))


class JgluonRngTest(unittest.TestCase):
    """Against rng_fixture.json, printed by jgluon (bench/fidelity/rng_fixture.js)."""

    @classmethod
    def setUpClass(cls):
        with open(os.path.join(os.path.dirname(__file__), "rng_fixture.json")) as f:
            cls.fx = json.load(f)

    def test_bits_scalar_and_array(self):
        self.assertEqual(len(self.fx["bits"]), 40)
        for b in self.fx["bits"]:
            want = J.to_u64(int(b["bits"]))
            self.assertEqual(J.bits(int(b["seed"]), b["index"]), want, b)
            self.assertEqual(int(J.bits_array(int(b["seed"]), b["index"], 1)[0]), want, b)
        # the array version over a range is the scalar one at each index
        arr = J.bits_array(-3, 10, 20)
        self.assertEqual([int(v) for v in arr], [J.bits(-3, i) for i in range(10, 30)])

    def test_global_stream_seeds(self):
        for s in self.fx["streams"]:
            stream = J.Stream(s["seed"])
            self.assertEqual([stream.next_seed() for _ in s["next_seeds"]],
                             [J.to_u64(int(v)) for v in s["next_seeds"]])
            self.assertEqual(stream.counter, 3)

    def test_dropout_outputs_of_two_layers(self):
        self.assertEqual(J.keep_threshold(0.5), 1 << 23)
        self.assertEqual(J.keep_threshold(0.2), 3355444)  # 0.2f = 0.20000000298·2^24 = 3355443.25
        self.assertEqual(J.dropout_scale(0.2), np.float32(1.25))
        for d in self.fx["dropout"]:
            values = np.array(d["values"], dtype=np.float32)
            seed = J.bits(d["global_seed"], d["counter"])
            keep = J.dropout_keep(seed, len(values), d["rate"])
            want = np.where(keep, J.dropout_scale(d["rate"]), np.float32(0))
            np.testing.assert_array_equal(values, want)
            self.assertTrue(0 < keep.sum() < len(values))
        # the two layers' masks differ: consecutive seeds of the stream
        a, b = (np.array(d["values"]) != 0 for d in self.fx["dropout"])
        self.assertFalse(np.array_equal(a, b))

    def test_loader_order(self):
        for l in self.fx["loader"]:
            self.assertEqual(J.to_u64(int(l["loader_seed"])), J.bits(l["global_seed"], 0))
            np.testing.assert_array_equal(J.loader_order(int(l["loader_seed"]), 50, l["epoch"]), l["order"])
        self.assertNotEqual(self.fx["loader"][0]["order"], self.fx["loader"][1]["order"])


class JgluonDrawsTest(unittest.TestCase):
    """reference.py --jgluon-draws: the counters and the Xavier formula of jgluon_bn.js's network."""

    def test_weights_of_the_first_forward(self):
        with open(os.path.join(os.path.dirname(__file__), "rng_fixture.json")) as f:
            net_fx = json.load(f)["network"]
        draws = R.JgluonDraws(net_fx["global_seed"])
        self.assertEqual(len(net_fx["weights"]), len(R.JgluonDraws.INIT_COUNTERS))
        for k, w in enumerate(net_fx["weights"]):
            t = torch.empty(w["shape"])
            R.jgluon_xavier_(t, draws.init_seed(k))
            flat = t.reshape(-1).numpy()
            np.testing.assert_array_equal(flat[:8], np.array(w["first"], dtype=np.float32), err_msg=w["name"])
            self.assertEqual(flat[-1], np.float32(w["last"]), w["name"])
        # the Dropout seeds sit between the Dense weights' (8, 10) and two per step follow from 12
        self.assertEqual(net_fx["counter_after_first_forward"], 12)
        self.assertEqual([draws.next_dropout_seed() for _ in range(4)],
                         [J.bits(21, c) for c in (8, 10, 12, 13)])

    def test_jgluon_dropout_module_is_the_mask(self):
        draws = R.JgluonDraws(5)
        x = torch.randn(4, 37)
        y = R.JgluonDropout(0.5, draws)(x)
        keep = torch.from_numpy(J.dropout_keep(J.bits(5, 8), x.numel(), 0.5)).view(4, 37)
        torch.testing.assert_close(y, torch.where(keep, 2 * x, torch.zeros(())), rtol=0, atol=0)
        m = R.JgluonDropout(0.5, draws).eval()
        self.assertIs(m(x), x)


if __name__ == "__main__":
    unittest.main()

package org.jgluon.repl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Every row of DESIGN.md's table "Python Gluon → jgluon JavaScript", run as a script through the
 * command line. Each test prints values whose right answer is worked out by hand.
 */
class ConventionsTest {

    private static String run(String name, String code) {
        Cli.Result r = Cli.runScript("conventions/" + name + ".js", code);
        assertEquals(0, r.status(), r::toString);
        assertEquals("", r.err(), r::toString);
        return r.out();
    }

    @Test
    void globalsAndNamespaces() {
        String out = run("globals", """
                print([mx, nd, autograd, gluon, init, nn].map(x => typeof x).join(' '));
                print(mx.nd === nd, mx.gluon.nn === nn, mx.init === init, mx.autograd === autograd);
                print(typeof gluon.loss.SoftmaxCrossEntropyLoss, typeof gluon.data.DataLoader,
                      typeof gluon.data.vision.FashionMNIST, typeof gluon.data.vision.transforms.ToTensor,
                      typeof mx.metric.Accuracy, typeof mx.random.seed, typeof gluon.Trainer);
                """);
        assertEquals("object object object object object object\ntrue true true true\n"
                + "function function function function function function function\n", out);
    }

    @Test
    void positionalThenOptionsSnakeOrCamel() {
        String out = run("options", """
                const a = nn.Conv2D(96, {kernel_size: 11, strides: 4, activation: 'relu'});
                const b = nn.Conv2D(96, {kernelSize: 11, strides: 4, activation: 'relu'});
                print(String(a) === String(b));
                const X = nd.zeros([1, 1, 227, 227]);
                a.initialize(); b.initialize();
                print(a(X).shape.join('x'), b(X).shape.join('x'));
                print(nn.MaxPool2D({pool_size: 3, strides: 2})(nd.zeros([1, 1, 9, 9])).shape.join('x'));
                """);
        assertEquals("true\n1x96x55x55 1x96x55x55\n1x1x4x4\n", out);
    }

    @Test
    void varargsAddIndexAndLength() {
        String out = run("add", """
                const net = nn.Sequential();
                net.add(nn.Dense(4), nn.Activation('relu'), nn.Dense(2));
                net.initialize();
                print(net.length, len(net), String(net[2]) === String(net.get(2)), String(net[1]) === String(net[2]));
                print(net[0](nd.ones(1, 3)).shape, net[2](nd.ones(1, 3)).shape);
                """);
        assertEquals("3 3 true false\n[1, 4] [1, 2]\n", out);
    }

    @Test
    void initializeWithInitializerOrOptions() {
        String out = run("initialize", """
                const X = nd.ones(2, 3);
                const a = nn.Dense(2, {in_units: 3}); a.initialize(init.Constant(0.5));
                const b = nn.Dense(2, {in_units: 3}); b.initialize({init: init.Constant(0.25)});
                const c = nn.Dense(2, {in_units: 3}); c.initialize(init.One(), {force_reinit: true});
                print(a(X).tolist(), b(X).tolist(), c(X).tolist());
                """);
        // weights constant, bias zero: every output is 3 * w
        assertEquals("[[1.5, 1.5], [1.5, 1.5]] [[0.75, 0.75], [0.75, 0.75]] [[3, 3], [3, 3]]\n", out);
    }

    @Test
    void blocksAreCallableAndNewIsOptional() {
        String out = run("callable", """
                const net = new nn.Sequential();
                net.add(new nn.Dense(2, {in_units: 2}), nn.Dense(1, {in_units: 2}));
                net.initialize(init.One());
                const X = nd.array([[1, 2], [3, 4]]);
                print(net(X).tolist(), net.forward(X).tolist(), typeof net);
                """);
        assertEquals("[[6], [14]] [[6], [14]] function\n", out);
    }

    @Test
    void trainerRecordBackwardStep() {
        // one SGD step on L2 loss of a 1x1 Dense with w = 1, b = 0, x = 2, y = 0:
        // l = (w*x - y)^2 / 2 = 2, dl/dw = (w*x - y) * x = 4, dl/db = 2; lr 0.1, batch 1
        String out = run("trainer", """
                const net = nn.Dense(1, {in_units: 1});
                net.initialize(init.One());
                const trainer = gluon.Trainer(net.collect_params(), 'sgd', {learning_rate: 0.1});
                const trainer2 = new gluon.Trainer(net.collect_params(), 'sgd', {learningRate: 0.1});
                const loss = gluon.loss.L2Loss();
                const X = nd.array([[2]]), y = nd.array([[0]]);
                const l = autograd.record(() => loss(net(X), y));
                l.backward();
                trainer.step(1);
                print(l.mean().asscalar(), net.weight.data().asscalar(), net.bias.data().asscalar(),
                      trainer.learning_rate, trainer2.learning_rate);
                """);
        assertEquals("2 0.6 -0.2 0.1 0.1\n", out);
    }

    @Test
    void recordReturnsWhateverTheFunctionReturns() {
        String out = run("record", """
                const x = nd.array([1, 2, 3]);
                x.attach_grad();
                const [y, z] = autograd.record(() => { const y = x.mul(x); return [y, y.sum()]; });
                print(autograd.is_recording(), y.tolist(), z.asscalar());
                z.backward();
                print(x.grad.tolist());
                print(autograd.record(() => autograd.is_recording() && autograd.is_training()));
                print(autograd.record(() => autograd.is_training(), {train_mode: false}));
                """);
        assertEquals("false [1, 4, 9] 14\n[2, 4, 6]\ntrue\nfalse\n", out);
    }

    @Test
    void loaderIteratesAsPairs() {
        String out = run("loader", """
                const X = nd.arange(12).reshape(6, 2), y = nd.array([0, 1, 2, 3, 4, 5]);
                const loader = gluon.data.DataLoader(gluon.data.ArrayDataset(X, y), 4, {shuffle: false});
                for (const [data, label] of loader) print(data.shape, label.tolist());
                const doubled = gluon.data.ArrayDataset(X, y).transform_first(v => v.mul(2));
                for (const [data, label] of gluon.data.DataLoader(doubled, 6, {num_workers: 2})) print(data.sum().asscalar());
                print(loader.length, loader.dataset.length);
                """);
        assertEquals("[4, 2] [0, 1, 2, 3]\n[2, 2] [4, 5]\n132\n2 6\n", out);
    }

    @Test
    void loaderTakesGluonsPositionalShuffle() {
        // Gluon's DataLoader(dataset, batch_size, shuffle): a positional shuffle once went unread
        String out = run("shuffle", """
                const ds = gluon.data.ArrayDataset(nd.arange(64).reshape(64, 1), nd.arange(64));
                const order = l => { const ids = []; for (const [x, y] of l) ids.push(...y.tolist()); return ids.join(','); };
                const plain = order(gluon.data.DataLoader(ds, 16, false));
                print(plain === order(gluon.data.DataLoader(ds, 16)), plain === order(gluon.data.DataLoader(ds, 16, true)));
                let msg = '';
                try { gluon.data.DataLoader(ds, 16, 'yes'); } catch (e) { msg = e.message; }
                print(msg);
                """);
        assertEquals("true false\nDataLoader: shuffle must be true or false, got \"yes\"\n", out);
    }

    @Test
    void shapeIsAJsArray() {
        String out = run("shape", """
                const X = nd.zeros([2, 3, 4]);
                print(Array.isArray(X.shape), JSON.stringify(X.shape), X.shape[1], X.ndim, X.size);
                """);
        assertEquals("true [2,3,4] 3 3 24\n", out);
    }

    @Test
    void arithmeticHelpers() {
        String out = run("arith", """
                const x = nd.array([1, 2, 3]), y = nd.array([4, 5, 6]);
                print(x.add(y).tolist(), x.mul(2).tolist(), x.neg().tolist(), x.pow(2).tolist());
                print(x.sub(1).tolist(), x.div(2).tolist(), nd.subtract(10, x).tolist(), nd.divide(6, x).tolist());
                print(nd.add(x, y).tolist(), nd.multiply(x, y).tolist(), nd.subtract(y, x).tolist(), nd.divide(y, x).tolist());
                const m = nd.array([[1, 2, 3], [4, 5, 6]]);
                print(m.add(nd.array([10, 20, 30])).tolist(), m.mul(nd.array([[1], [2]])).tolist());
                """);
        assertEquals("[5, 7, 9] [2, 4, 6] [-1, -2, -3] [1, 4, 9]\n"
                + "[0, 1, 2] [0.5, 1, 1.5] [9, 8, 7] [6, 3, 2]\n"
                + "[5, 7, 9] [4, 10, 18] [3, 3, 3] [4, 2.5, 2]\n"
                + "[[11, 22, 33], [14, 25, 36]] [[1, 2, 3], [8, 10, 12]]\n", out);
    }

    @Test
    void dotSumArgmax() {
        String out = run("reduce", """
                const a = nd.array([[1, 2], [3, 4]]), b = nd.array([[5, 6], [7, 8]]);
                print(nd.dot(a, b).tolist(), nd.dot(a, b, {transpose_a: true}).tolist());
                print(a.sum({axis: 1}).tolist(), a.sum({axis: 0, keepdims: true}).tolist(), a.sum().asscalar());
                print(a.mean().asscalar(), a.mean({axis: 1}).tolist(), a.max().asscalar());
                const p = nd.array([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1]]);
                print(p.argmax({axis: 1}).tolist(), nd.argmax(p, {axis: 1}).tolist());
                """);
        assertEquals("[[19, 22], [43, 50]] [[26, 30], [38, 44]]\n[3, 7] [[4, 6]] 10\n2.5 [1.5, 3.5] 4\n[1, 0] [1, 0]\n", out);
    }

    @Test
    void comparisonsGiveZeroOneTensors() {
        String out = run("compare", """
                const y_hat = nd.array([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1], [0.2, 0.2, 0.6]]);
                const y = nd.array([1, 2, 2]);
                print(y_hat.argmax({axis: 1}).eq(y).tolist(), y_hat.argmax({axis: 1}).eq(y).sum().asscalar());
                print(y.ne(2).tolist(), y.lt(2).tolist(), y.gt(1).tolist(), y.eq(nd.array([1, 1, 1])).tolist());
                """);
        assertEquals("[1, 0, 1] 2\n[1, 0, 0] [1, 0, 0] [0, 1, 1] [1, 0, 0]\n", out);
    }

    @Test
    void tensorsPrintAsMxnetDoes() {
        String out = run("print", """
                console.log(nd.array([[1, 2], [3, 4]]));
                print(`${nd.ones(2)}`);
                """);
        assertEquals("[[1., 2.]\n [3., 4.]]\n<NDArray 2x2>\n[1., 1.]\n<NDArray 2>\n", out);
    }

    @Test
    void parameterFilesSummaryHybridize(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        String file = tmp.resolve("net.params").toString().replace("\\", "/");
        String out = run("params", """
                const make = () => { const n = nn.Sequential(); n.add(nn.Dense(3, {in_units: 2})); return n; };
                const a = make(); a.initialize(init.Uniform());
                a.hybridize();
                a.save_parameters('FILE');
                const b = make(); b.load_parameters('FILE');
                const X = nd.array([[1, 2]]);
                print(JSON.stringify(a(X).tolist()) === JSON.stringify(b(X).tolist()));
                print(a.summary(X) === undefined);
                """.replace("FILE", file));
        assertTrue(out.startsWith("true\n"), out);
        assertTrue(out.endsWith("true\n"), out);
        // the table goes to the script's own output (this test's stream), between the two lines
        assertTrue(out.contains("dense") && out.contains("Total params: 9"), out);
    }

    @Test
    void backwardRetainGraphAndSeveralHeads() {
        String out = run("retain", """
                const x = nd.array([1, 2, 3]); x.attach_grad();
                let y, z;
                autograd.record(() => { y = x.mul(x); z = y.sum(); });
                z.backward({retain_graph: true}); z.backward(null, true); z.backward();
                print(JSON.stringify(x.grad.tolist()));
                try { z.backward(); } catch (e) { print(/already called/.test(String(e))); }
                let a, b;
                autograd.record(() => { a = x.mul(2).sum(); b = x.mul(x).sum(); });
                autograd.backward([a, b]);
                print(JSON.stringify(x.grad.tolist()));
                try { z.backward(null, 'yes'); } catch (e) { print(String(e)); }
                """);
        assertEquals("[2,4,6]\ntrue\n[4,6,8]\nTypeError: backward: retain_graph must be true or false, got \"yes\"\n", out);
    }

    @Test
    void metricAndSeed() {
        String out = run("metric", """
                const m = mx.metric.Accuracy();
                m.update(nd.array([1, 0]), nd.array([[0.2, 0.8], [0.3, 0.7]]));
                print(JSON.stringify(m.get()));
                mx.random.seed(7); const a = nd.random.uniform(0, 1, [3]).tolist();
                mx.random.seed(7); const b = nd.random.uniform({low: 0, high: 1, shape: [3]}).tolist();
                print(JSON.stringify(a) === JSON.stringify(b), a.every(v => v >= 0 && v < 1));
                """);
        assertEquals("[\"accuracy\",0.5]\ntrue true\n", out);
    }
}

// rng_fixture.js: values printed by jgluon itself for test_reference.py's check of jgluon_rng.py
// (the numpy rebuild of jgluon's random draws that parity.py and reference.py --masks jgluon use).
// Prints one JSON object: Rng.bits at chosen (seed, index), the global stream's nextSeed()s, the
// outputs of two Dropout layers in train mode (through the real op path: nn.Dropout →
// DropoutOps → DropoutKernels' vector loop and its scalar tail) and a shuffling DataLoader's order.
//
//   ./jgluon --allow-host-access bench/fidelity/rng_fixture.js > bench/fidelity/rng_fixture.json

const Rng = Java.type('org.jgluon.engine.Rng');
const out = {bits: [], streams: [], dropout: [], loader: [], network: null};

for (const seed of ['0', '7', '-3', '123456789012345', '-8446744073709551616']) {
    for (const index of [0, 1, 2, 15, 16, 17, 1000, 123457]) {
        // seeds travel as decimal strings: a long does not fit a JavaScript number
        out.bits.push({seed: seed, index: index, bits: String(Rng.bits(java.lang.Long.parseLong(seed), index))});
    }
}

for (const seed of [0, 5]) {
    mx.random.seed(seed);
    const draws = [];
    for (let k = 0; k < 3; k++) draws.push(String(Rng.global().nextSeed()));
    out.streams.push({seed: seed, next_seeds: draws});
}

// Two Dropout calls in a row, as in the network: the first draws counter c, the second c + 1.
// 3·37 = 111 elements: six 16-lane vectors and a scalar tail of 15.
mx.random.seed(11);
const first = nn.Dropout(0.2), second = nn.Dropout(0.5);
const counter = Number(Rng.global().counter());
const [a, b] = autograd.record(() => [first(nd.ones([3, 37])), second(nd.ones([3, 37]))]);
out.dropout.push({global_seed: 11, counter: counter, rate: 0.2, values: a.reshape([-1]).tolist()});
out.dropout.push({global_seed: 11, counter: counter + 1, rate: 0.5, values: b.reshape([-1]).tolist()});

// A shuffling loader: its seed is drawn from the global stream when it is made; epochs 0 and 1.
mx.random.seed(3);
const ds = gluon.data.ArrayDataset(nd.arange(0, 50), nd.arange(0, 50));
const loader = gluon.data.DataLoader(ds, 7, {shuffle: true, num_workers: 0});
for (let epoch = 0; epoch < 2; epoch++) {
    const order = [];
    for (const [x, y] of loader) for (const v of y.tolist()) order.push(v);
    out.loader.push({global_seed: 3, loader_seed: String(loader.seed()), epoch: epoch, order: order});
}

// jgluon_bn.js's draws: two loaders (counters 0, 1), then the first training forward initialises
// the deferred weights and draws the Dropout seeds in network order. The first values of each
// weight and the counter afterwards pin down which counter each weight was drawn from.
mx.random.seed(21);
gluon.data.DataLoader(ds, 7, {shuffle: true, num_workers: 0});
gluon.data.DataLoader(ds, 7, {shuffle: false, num_workers: 0});
const net = require('../../scripts/alexnet_bn.js')();
net.initialize(init.Xavier());
autograd.record(() => net(nd.zeros([2, 1, 67, 67])));
const weights = [];
const params = net.collect_params('.*weight');
for (const name of params.keys()) {
    const t = params.get(name).data()._t;  // the engine's Tensor: get(flat index)
    weights.push({name: name, shape: Array.from(t.shape()), first: [0, 1, 2, 3, 4, 5, 6, 7].map(i => t.get(i)),
                  last: t.get(t.size() - 1)});
}
out.network = {global_seed: 21, counter_after_first_forward: Number(Rng.global().counter()), weights: weights};

console.log(JSON.stringify(out));

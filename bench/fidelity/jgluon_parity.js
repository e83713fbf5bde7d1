// jgluon_parity.js: the jgluon half of the same-weights parity check (parity.py is the other).
// AlexNet-BN without its two Dropout layers (their masks cannot match across frameworks; the
// rest is the seed's network), Xavier-initialised from --seed, trained with d2l's step on the
// first N training images in file order — N = batches·128 − 32, so the last batch has 96 images
// and trainer.step(128) scales it like the epoch's last batch — then predict-mode logits of the
// first --test-size test images. Writes initial.params and final.params to --out and prints
// one JSON line per step and one with the logits, which parity.py replays and compares.
//
// --dropout keeps the two Dropout layers (scripts/alexnet_bn.js itself): each step's line then
// holds the global random stream's counter before the step, from which parity.py rebuilds the
// two masks jgluon drew (jgluon_rng.py). --shuffle draws the order from a shuffling DataLoader
// as d2l's loop does (its seed is in the first line); each step's line holds the labels and the
// per-image pixel sums, so parity.py checks that it replays the same images with the same labels.
//
//   ./jgluon --allow-host-access bench/fidelity/jgluon_parity.js --out /tmp/parity > /tmp/parity/jgluon.jsonl

const args = parse_args({
    out: {default: '', required: true, help: 'directory for initial.params and final.params'},
    seed: {default: 0, type: 'int', help: 'random seed of the initial weights'},
    batches: {default: 8, type: 'int', min: 1, help: 'training steps (the last one on 96 images)'},
    test_size: {default: 512, type: 'int', min: 1, help: 'test images whose predict-mode logits are printed'},
    resize: {default: 67, type: 'int', min: 67, help: 'image side in pixels'},
    train_size: {default: 0, type: 'int', min: 0, help: 'train on the first N images instead (0: batches·128 − 32)'},
    dropout: {default: false, type: 'bool', help: 'keep the two Dropout layers (their masks are logged)'},
    shuffle: {default: false, type: 'bool', help: 'shuffled order from the DataLoader instead of file order'},
    save_steps: {default: 0, type: 'int', min: 0, help: 'also save the parameters before each of the first K steps (step-<k>.params) for step_grads.py'},
});
const Rng = Java.type('org.jgluon.engine.Rng');

function alexnet_bn_without_dropout() {
    const net = nn.Sequential();
    net.add(nn.Conv2D(96, {kernel_size: 11, strides: 4}), nn.BatchNorm(), nn.Activation('relu'),
            nn.MaxPool2D({pool_size: 3, strides: 2}),
            nn.Conv2D(256, {kernel_size: 5, padding: 2}), nn.BatchNorm(), nn.Activation('relu'),
            nn.MaxPool2D({pool_size: 3, strides: 2}),
            nn.Conv2D(384, {kernel_size: 3, padding: 1}), nn.BatchNorm(), nn.Activation('relu'),
            nn.Conv2D(384, {kernel_size: 3, padding: 1}), nn.BatchNorm(), nn.Activation('relu'),
            nn.Conv2D(256, {kernel_size: 3, padding: 1}), nn.BatchNorm(), nn.Activation('relu'),
            nn.MaxPool2D({pool_size: 3, strides: 2}),
            nn.Dense(4096), nn.BatchNorm(), nn.Activation('relu'),
            nn.Dense(2048), nn.BatchNorm(), nn.Activation('relu'),
            nn.Dense(10));
    return net;
}

mx.random.seed(args.seed);
const batch_size = 128;
const T = gluon.data.vision.transforms;
const transformer = T.Compose([T.Resize(args.resize), T.ToTensor()]);
const n_train = args.train_size || args.batches * batch_size - 32;
const train = gluon.data.vision.FashionMNIST({train: true}).take(n_train).transform_first(transformer);
const test = gluon.data.vision.FashionMNIST({train: false}).take(args.test_size).transform_first(transformer);
const train_iter = gluon.data.DataLoader(train, batch_size, {shuffle: args.shuffle});
const test_iter = gluon.data.DataLoader(test, batch_size, {shuffle: false});
// seeds travel as decimal strings: a long does not fit a JavaScript number
console.log(JSON.stringify({header: true, dropout: args.dropout, shuffle: args.shuffle, seed: args.seed,
    rng_seed: java.lang.Long.toString(Rng.global().seed()), loader_seed: java.lang.Long.toString(train_iter.seed())}));

const net = args.dropout ? require('../../scripts/alexnet_bn.js')() : alexnet_bn_without_dropout();
net.initialize(init.Xavier());
net(nd.zeros([1, 1, args.resize, args.resize]));  // predict mode: creates the parameters, changes nothing
net.save_parameters(`${args.out}/initial.params`);

const loss = gluon.loss.SoftmaxCrossEntropyLoss();
const trainer = gluon.Trainer(net.collect_params(), 'sgd', {learning_rate: 0.01});
let step = 0;
for (const [X, y] of train_iter) {
    if (step < args.save_steps) net.save_parameters(`${args.out}/step-${step}.params`);
    const rng_counter = Number(Rng.global().counter());
    const l = autograd.record(() => loss(net(X), y).sum());
    l.backward();
    trainer.step(batch_size);
    const line = {step: step++, n: y.shape[0], loss_sum: l.asscalar(), rng_counter: rng_counter};
    if (args.shuffle) {
        line.labels = y.tolist();
        line.pixel_sums = X.sum({axis: [1, 2, 3]}).tolist();
    }
    console.log(JSON.stringify(line));
}
net.save_parameters(`${args.out}/final.params`);
if (args.save_steps > step) throw new Error(`--save-steps ${args.save_steps}: the run has only ${step} steps`);

const logits = [];
for (const [X, y] of test_iter) for (const row of net(X).tolist()) logits.push(row);
console.log(JSON.stringify({logits: logits}));

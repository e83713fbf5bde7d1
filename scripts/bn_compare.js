// bn_compare.js: the BatchNorm experiment. AlexNet on Fashion-MNIST trained without and with
// BatchNorm (Ioffe & Szegedy 2015), with the d2l training loop, the same initial random stream
// and the same data order, and the two runs compared epoch by epoch.
//
//   ./jgluon scripts/bn_compare.js                          the defaults below
//   ./jgluon scripts/bn_compare.js --resize 224 --epochs 40  the published run (hours on a CPU)
//   ./jgluon scripts/bn_compare.js --resume runs/20261128-190000
//   ./jgluon scripts/bn_compare.js --help
//
// The two networks train in turn within each epoch (alexnet epoch 1, alexnet_bn epoch 1,
// alexnet epoch 2, ...) rather than one after the other: the comparison grows epoch by epoch,
// so a short or interrupted run still compares both networks over the epochs it finished, and
// each checkpoint holds both. Before each network's epoch the loader is set to that epoch, so
// both see the same batches in the same order.
//
// Everything goes to the run directory (runs/<date-time>/ or --out): settings.json,
// history.csv, history.json and chart.png after every epoch, and checkpoint/ for --resume.

const d2l = require('./lib/d2l.js');
const alexnet = require('./alexnet.js');
const alexnet_bn = require('./alexnet_bn.js');

// ---- Defaults -----------------------------------------------------------------------------
// The full 60 000 / 10 000 split and d2l's settings (lr 0.01, batch 128, Xavier, plain SGD).
// Resolution and epochs are what fits in 15 minutes on a 2-core machine; the seed post used
// 224 and 40 epochs. 67 is the smallest input this AlexNet takes (conv1 11/4 -> 15, pools ->
// 7 -> 3 -> 1). Measured on an idle 2-core machine: one epoch of both networks at 67 on
// 60 000 + 10 000 images takes 5 min 43 s with start-up (175 s + 163 s of training and testing),
// so two epochs fit in about 11.5 minutes; 96 would take about twice as long per epoch.
const DEFAULTS = {
    epochs: 2,
    batch_size: 128,
    lr: 0.01,
    resize: 67,
    train_size: 0,   // 0 = all 60 000 training images
    test_size: 0,    // 0 = all 10 000 test images
    seed: 0,
};
// --------------------------------------------------------------------------------------------

const NETWORKS = [
    {name: 'alexnet', build: alexnet},
    {name: 'alexnet_bn', build: alexnet_bn},
];

// The independent PyTorch reference run of seed-experiment.md (same networks and loop, seed 0):
// test accuracy per epoch, to compare against at the resolutions it was run at.
const REFERENCE = {
    224: {alexnet: [0.751, 0.816, 0.841, 0.837, 0.865, 0.867, 0.873, 0.881],
          alexnet_bn: [0.860, 0.886, 0.892, 0.901, 0.896, 0.910, 0.911, 0.913]},
    96: {alexnet: [0.421, 0.670, 0.732, 0.748, 0.781, 0.793, 0.810, 0.822, 0.821, 0.839],
         alexnet_bn: [0.836, 0.883, 0.887, 0.890, 0.902, 0.902, 0.904, 0.907, 0.910, 0.906]},
    67: {alexnet: [0.344, 0.640, 0.689, 0.729, 0.763, 0.752, 0.781, 0.791, 0.806, 0.818],
         alexnet_bn: [0.840, 0.883, 0.897, 0.882, 0.894, 0.892, 0.907, 0.909, 0.909, 0.912]},
};

// Flags default to null so that a resumed run can tell which ones were given.
const args = parse_args({
    epochs: {default: null, type: 'int', min: 1, help: `epochs per network (default ${DEFAULTS.epochs})`},
    batch_size: {default: null, type: 'int', min: 1, help: `mini-batch size (default ${DEFAULTS.batch_size})`},
    lr: {default: null, type: 'float', min: 0, help: `SGD learning rate (default ${DEFAULTS.lr})`},
    resize: {default: null, type: 'int', min: 67, help: `image side in pixels, at least 67 (default ${DEFAULTS.resize})`},
    train_size: {default: null, type: 'int', min: 0, help: 'use the first N training images (default: all 60 000)'},
    test_size: {default: null, type: 'int', min: 0, help: 'use the first N test images (default: all 10 000)'},
    threads: {default: null, type: 'int', min: 1, help: 'compute threads (default: one per core)'},
    seed: {default: null, type: 'int', help: `random seed (default ${DEFAULTS.seed})`},
    out: {default: '', help: 'run directory (default runs/<date-time>/)'},
    data: {default: '', help: 'directory holding the Fashion-MNIST files (default: JGLUON_DATA, ~/.jgluon/datasets, /usr/share/datasets)'},
    resume: {default: '', help: 'continue the run in this directory from its last finished epoch'},
});

// ---- Settings: new run, or the saved ones of the run to resume -----------------------------
let settings, saved = null;
if (args.resume) {
    for (const flag of ['batch_size', 'lr', 'resize', 'train_size', 'test_size', 'seed']) {
        if (args[flag] != null) {
            throw new Error(`--${flag.replace('_', '-')} cannot change when resuming: the run in ${args.resume} ` +
                'continues with its own settings (only --epochs and --threads may be given)');
        }
    }
    if (args.out) throw new Error('--out and --resume exclude each other: a resumed run writes to its own directory');
    saved = JSON.parse(report.resume(args.resume));
    settings = saved.settings;
    if (args.epochs != null) settings.epochs = args.epochs;
    if (args.threads != null) settings.threads = args.threads;
    if (args.data) settings.data = args.data;
} else {
    settings = {};
    for (const key of Object.keys(DEFAULTS)) settings[key] = args[key] != null ? args[key] : DEFAULTS[key];
    settings.threads = args.threads;
    settings.data = args.data;
}
settings.threads = settings.threads != null ? report.setThreads(settings.threads) : report.threads();
settings.networks = NETWORKS.map(n => n.name);
settings.training = 'd2l train_ch5: sgd, Xavier init, softmax cross-entropy, trainer.step(batch_size), ' +
    'networks interleaved per epoch on the same data order';
settings.title = `Fashion-MNIST ${settings.resize}x${settings.resize}`;
if (!saved) report.open(settings, args.out);  // first, so that an unwritable --out fails at once

// ---- Data and networks ---------------------------------------------------------------------
// The same seed gives the same loader order and initial weights in a resumed run, before the
// checkpoint replaces the weights and the random stream.
mx.random.seed(settings.seed);
const [train_iter, test_iter] = d2l.load_data_fashion_mnist(settings.batch_size, {
    resize: settings.resize, train_size: settings.train_size, test_size: settings.test_size, data: settings.data});
const loss = gluon.loss.SoftmaxCrossEntropyLoss();
const runs = NETWORKS.map(({name, build}) => {
    const net = build();
    net.initialize(init.Xavier());
    // Deferred shapes: one predict-mode forward creates the parameters now (it changes nothing:
    // no BatchNorm statistics are updated, no Dropout is drawn), so a resumed run can load them.
    net(nd.zeros([1, 1, settings.resize, settings.resize]));
    const trainer = gluon.Trainer(net.collect_params(), 'sgd', {learning_rate: settings.lr});
    return {name, net, trainer};
});

let first_epoch = 1;
if (saved) {
    for (const r of runs) {
        r.net.load_parameters(`${saved.checkpoint}/${r.name}.params`);
        r.trainer.load_states(`${saved.checkpoint}/${r.name}.states`);
    }
    report.restoreRandomState();
    first_epoch = saved.epoch + 1;
    console.log(`resuming ${report.runDir()} after epoch ${saved.epoch}`);
    if (first_epoch > settings.epochs) {
        console.log(`it has all its ${settings.epochs} epochs; give --epochs N (more than ${saved.epoch}) to train further`);
    }
}

console.log(`AlexNet without and with BatchNorm on Fashion-MNIST: ${train_iter.dataset.length} training and ` +
    `${test_iter.dataset.length} test images at ${settings.resize}x${settings.resize}, batch ${settings.batch_size}, ` +
    `lr ${settings.lr}, ${settings.epochs} epoch${settings.epochs > 1 ? 's' : ''}, ${settings.threads} ` +
    `thread${settings.threads > 1 ? 's' : ''}, seed ${settings.seed}`);
console.log(`run directory: ${report.runDir()}`);

// ---- Training ------------------------------------------------------------------------------
const width = Math.max(...NETWORKS.map(n => n.name.length));
for (let epoch = first_epoch; epoch <= settings.epochs; epoch++) {
    for (const r of runs) {
        train_iter.set_epoch(epoch - 1); // the same batches, in the same order, for both networks
        const result = d2l.train_epoch(r.net, train_iter, test_iter, loss, r.trainer, settings.batch_size, epoch, r.name);
        console.log(`${r.name.padEnd(width)}  ${d2l.epoch_line(epoch, result)}`);
    }
    save_checkpoint(epoch);
}

// After every epoch: both networks' parameters and optimizer states, written into a fresh
// directory that becomes the checkpoint only when complete. The report adds the history and
// the random stream (the loader's order follows from the seed and the epoch).
function save_checkpoint(epoch) {
    const dir = report.checkpointDir(epoch);
    for (const r of runs) {
        r.net.save_parameters(`${dir}/${r.name}.params`);
        r.trainer.save_states(`${dir}/${r.name}.states`);
    }
    report.commitCheckpoint(epoch, {next_epoch: epoch + 1, data_order: {seed: settings.seed, next_loader_epoch: epoch}});
}

// ---- The comparison ------------------------------------------------------------------------
const history = {};
for (const n of JSON.parse(report.history()).networks) history[n.name] = n.epochs;
const plain = history.alexnet || [], bn = history.alexnet_bn || [];

console.log('');
console.log('| epoch | loss | train acc | test acc | time (s) | loss BN | train acc BN | test acc BN | time BN (s) |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (let i = 0; i < Math.max(plain.length, bn.length); i++) {
    const cells = e => e ? [e.loss.toFixed(4), e.train_acc.toFixed(3), e.test_acc.toFixed(3), e.time_sec.toFixed(1)]
                         : ['', '', '', ''];
    const epoch = (plain[i] || bn[i]).epoch;
    console.log(`| ${epoch} | ${cells(plain[i]).join(' | ')} | ${cells(bn[i]).join(' | ')} |`);
}
console.log('');
for (const line of summary(plain, bn)) console.log(line);
console.log(`history, chart and checkpoint: ${report.runDir()}`);

// What the table shows, in the seed post's terms: the test-accuracy gap after one epoch, and
// how many epochs the BatchNorm network needs to reach the other network's final accuracy.
function summary(plain, bn) {
    const lines = [];
    if (!plain.length || !bn.length) return lines;
    const gap = bn[0].test_acc - plain[0].test_acc;
    lines.push(`after epoch 1: test acc ${bn[0].test_acc.toFixed(3)} with BatchNorm, ${plain[0].test_acc.toFixed(3)} ` +
        `without (${gap >= 0 ? '+' : ''}${gap.toFixed(3)}; the post: 0.867 vs 0.762 at 224)`);
    const final = plain[plain.length - 1];
    const reached = bn.find(e => e.test_acc >= final.test_acc);
    lines.push(reached
        ? `BatchNorm reaches the plain network's final test acc ${final.test_acc.toFixed(3)} (epoch ${final.epoch}) ` +
          `in ${reached.epoch} epoch${reached.epoch > 1 ? 's' : ''} (the post: about 0.92 within 8 epochs at 224)`
        : `BatchNorm has not reached the plain network's final test acc ${final.test_acc.toFixed(3)} ` +
          `in ${bn.length} epoch${bn.length > 1 ? 's' : ''}`);
    const ref = REFERENCE[settings.resize];
    if (ref && !settings.train_size && !settings.test_size) {
        const row = name => history[name].filter(e => e.epoch <= ref[name].length)
            .map(e => `${e.test_acc.toFixed(3)} (ref ${ref[name][e.epoch - 1].toFixed(3)})`).join(', ');
        lines.push(`PyTorch reference run at ${settings.resize}, test acc per epoch:`);
        for (const n of NETWORKS) lines.push(`  ${n.name.padEnd(width)}  ${row(n.name)}`);
    }
    return lines;
}

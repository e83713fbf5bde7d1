// jgluon_bn.js: the jgluon side of issue 5's fidelity check — AlexNet-BN alone, d2l's train_ch5
// on the full Fashion-MNIST at 67 px, for one seed; the counterpart of reference.py.
//
//   ./jgluon --allow-host-access bench/fidelity/jgluon_bn.js --seed 2 --epochs 1
//
// (--allow-host-access only so that require() may read ../../scripts/, outside this directory.)
// It is the pieces of scripts/bn_compare.js without the plain network: the same loader, network,
// initialisation and loop (scripts/lib/d2l.js). Its weights for a seed differ from
// bn_compare.js's for the same seed, which initialises the plain network first from the same
// random stream; each run is one more draw from the same distribution.
// Prints the d2l line per epoch and a JSON line per epoch for the tables.

const d2l = require('../../scripts/lib/d2l.js');
const alexnet_bn = require('../../scripts/alexnet_bn.js');

const args = parse_args({
    seed: {default: 0, type: 'int', help: 'random seed (weights, data order, dropout)'},
    epochs: {default: 1, type: 'int', min: 1, help: 'epochs'},
    resize: {default: 67, type: 'int', min: 67, help: 'image side in pixels'},
    train_size: {default: 0, type: 'int', min: 0, help: 'first N training images (0 = all)'},
    test_size: {default: 0, type: 'int', min: 0, help: 'first N test images (0 = all)'},
});

mx.random.seed(args.seed);
const batch_size = 128;
const [train_iter, test_iter] = d2l.load_data_fashion_mnist(batch_size, {
    resize: args.resize, train_size: args.train_size, test_size: args.test_size});
const net = alexnet_bn();
net.initialize(init.Xavier());
console.log(`# jgluon alexnet_bn seed ${args.seed}, ${train_iter.dataset.length} training and ` +
    `${test_iter.dataset.length} test images at ${args.resize}, batch ${batch_size}, lr 0.01`);
d2l.train(net, train_iter, test_iter, {
    num_epochs: args.epochs, lr: 0.01, batch_size: batch_size, name: 'alexnet_bn',
    on_epoch: (epoch, r) => console.log(JSON.stringify({
        side: 'jgluon', net: 'alexnet_bn', seed: args.seed, resize: args.resize, epoch: epoch,
        loss: r.loss, train_acc: r.train_acc, test_acc: r.test_acc, time: r.time})),
});

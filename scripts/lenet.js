// LeNet with sigmoid activations on Fashion-MNIST: d2l's LeNet chapter (MXNet edition), with
// the BatchNorm chapter's settings (lr 1.0, batch 256) so it compares with lenet_bn.js.
// Expect it to stay near chance (acc 0.10) for the first few hundred steps, as in the book
// (its epoch 1 on all 60 000 images: train acc 0.102); lenet_bn.js leaves chance at once.
//
//   ./jgluon scripts/lenet.js                      a one-minute run on a subset
//   ./jgluon scripts/lenet.js --train-size 0 --epochs 5   the book's run (all 60 000 images)
//   ./jgluon scripts/lenet.js --out runs/lenet     also write history, chart and settings

const d2l = require('./lib/d2l.js');

const args = parse_args({
    epochs: {default: 3, min: 1, help: 'epochs'},
    batch_size: {default: 256, min: 1, help: 'mini-batch size'},
    lr: {default: 1.0, type: 'float', min: 0, help: 'SGD learning rate'},
    train_size: {default: 10000, min: 0, help: 'use the first N training images (0 = all 60 000)'},
    test_size: {default: 0, min: 0, help: 'use the first N test images (0 = all 10 000)'},
    seed: {default: 0, help: 'random seed'},
    out: {default: '', help: 'write the report (history, chart, settings) to this directory'},
    data: {default: '', help: 'directory holding the Fashion-MNIST files'},
});

const net = nn.Sequential();
net.add(nn.Conv2D(6, {kernel_size: 5, activation: 'sigmoid'}),
        nn.MaxPool2D({pool_size: 2, strides: 2}),
        nn.Conv2D(16, {kernel_size: 5, activation: 'sigmoid'}),
        nn.MaxPool2D({pool_size: 2, strides: 2}),
        nn.Dense(120, {activation: 'sigmoid'}),
        nn.Dense(84, {activation: 'sigmoid'}),
        nn.Dense(10));

mx.random.seed(args.seed);
net.initialize(init.Xavier());
const [train_iter, test_iter] = d2l.load_data_fashion_mnist(args.batch_size,
    {train_size: args.train_size, test_size: args.test_size, data: args.data});
if (args.out) report.open(args, args.out);
d2l.train(net, train_iter, test_iter, {num_epochs: args.epochs, lr: args.lr, batch_size: args.batch_size, name: 'lenet'});

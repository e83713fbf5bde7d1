// d2l.js: the helpers of "Dive into Deep Learning" (MXNet edition) that the scripts here use,
// written on jgluon's public API so they can be read and changed like the book's d2lzh package.
//
//   const d2l = require('./lib/d2l.js');
//   const [train_iter, test_iter] = d2l.load_data_fashion_mnist(128, {resize: 67});
//   d2l.train(net, train_iter, test_iter, {num_epochs: 5, lr: 0.01, batch_size: 128});
//
// train() is d2l's train_ch5 loop, kept exact (see docs/experiment.md):
//   - forward under autograd.record(), l = loss(y_hat, y).sum(), l.backward(),
//     trainer.step(batch_size) with the FIXED batch size, also for the last partial batch;
//   - the epoch's loss and train accuracy are sums over samples of the same train-mode outputs
//     (BatchNorm on batch statistics, Dropout on), divided by the number of samples;
//   - the test accuracy is measured afterwards in predict mode, and the printed time includes it.

// Fashion-MNIST through Gluon's pipeline: Resize on the uint8 image, then ToTensor (CHW floats
// in [0, 1]); the training set shuffled every epoch.
//   options: resize (pixels, none = 28), train_size / test_size (use the first N images,
//   0 = all), data (a directory holding the IDX files; default: JGLUON_DATA, the user cache,
//   /usr/share/datasets).
function load_data_fashion_mnist(batch_size, options = {}) {
    const {resize = 0, train_size = 0, test_size = 0, data = ''} = options;
    const transforms = gluon.data.vision.transforms;
    const steps = [];
    if (resize) steps.push(transforms.Resize(resize));
    steps.push(transforms.ToTensor());
    const transformer = transforms.Compose(steps);

    // Without a root, the default places are searched (JGLUON_DATA, the user cache, /usr/share).
    let mnist_train = gluon.data.vision.FashionMNIST({root: data, train: true});
    let mnist_test = gluon.data.vision.FashionMNIST({root: data, train: false});
    if (train_size) mnist_train = first(mnist_train, train_size, '--train-size');
    if (test_size) mnist_test = first(mnist_test, test_size, '--test-size');

    const train_iter = gluon.data.DataLoader(mnist_train.transform_first(transformer), batch_size, {shuffle: true});
    const test_iter = gluon.data.DataLoader(mnist_test.transform_first(transformer), batch_size, {shuffle: false});
    return [train_iter, test_iter];
}

// The first n samples of a dataset (a fixed subset, the same every epoch).
function first(dataset, n, what) {
    if (n > dataset.length) {
        throw new Error(`${what} ${n}: the dataset has only ${dataset.length} images`);
    }
    return dataset.take(n);
}

// The number of correct predictions in a batch: (y_hat.argmax(axis=1) == y).sum().
function correct(y_hat, y) {
    return y_hat.argmax({axis: 1}).eq(y).sum().asscalar();
}

// Accuracy over a whole loader, in predict mode (BatchNorm on running statistics, no Dropout).
function evaluate_accuracy(data_iter, net) {
    let acc_sum = 0, n = 0;
    for (const [X, y] of data_iter) {
        acc_sum += correct(net(X), y);
        n += y.shape[0];
    }
    return acc_sum / n;
}

// The d2l log line of one epoch.
function epoch_line(epoch, r) {
    return `epoch ${epoch}, loss ${r.loss.toFixed(4)}, train acc ${r.train_acc.toFixed(3)}, ` +
        `test acc ${r.test_acc.toFixed(3)}, time ${r.time.toFixed(1)} sec`;
}

// One epoch of train_ch5: trains on every batch of train_iter, then measures the test accuracy.
// Returns {loss, train_acc, test_acc, time}. With jgluon's global `report` it shows a live
// progress line and records the epoch under `name` (and writes the files once report.open ran).
function train_epoch(net, train_iter, test_iter, loss, trainer, batch_size, epoch, name = 'net') {
    const progress = typeof report !== 'undefined';
    if (progress) report.startEpoch(name, epoch, train_iter.length);
    let train_l_sum = 0, train_acc_sum = 0, n = 0;
    const start = Date.now();
    for (const [X, y] of train_iter) {
        const [y_hat, l] = autograd.record(() => {
            const y_hat = net(X);
            return [y_hat, loss(y_hat, y).sum()];
        });
        l.backward();
        trainer.step(batch_size);
        const l_sum = l.asscalar(), acc_sum = correct(y_hat, y), m = y.shape[0];
        train_l_sum += l_sum;
        train_acc_sum += acc_sum;
        n += m;
        if (progress) report.batch(m, l_sum, acc_sum);
    }
    const test_acc = evaluate_accuracy(test_iter, net);
    const r = {loss: train_l_sum / n, train_acc: train_acc_sum / n, test_acc: test_acc,
               time: (Date.now() - start) / 1000};
    // The report rewrites its history, CSV and chart now, so an interrupted run keeps this epoch.
    if (progress) report.endEpoch(name, epoch, r.loss, r.train_acc, r.test_acc, r.time);
    return r;
}

// d2l's train_ch5: Xavier-initialised net, plain SGD, softmax cross-entropy, one line per epoch.
//   options: num_epochs, lr, batch_size (as given to the loader; trainer.step uses it),
//   trainer (default: sgd with lr), name (the network's name in the report),
//   on_epoch(epoch, result) (called after each epoch, before its line is printed).
function train(net, train_iter, test_iter, options = {}) {
    const {num_epochs = 5, lr = 0.01, batch_size = 128, name = 'net', on_epoch = null} = options;
    const loss = gluon.loss.SoftmaxCrossEntropyLoss();
    const trainer = options.trainer || gluon.Trainer(net.collect_params(), 'sgd', {learning_rate: lr});
    const history = [];
    for (let epoch = 1; epoch <= num_epochs; epoch++) {
        const r = train_epoch(net, train_iter, test_iter, loss, trainer, batch_size, epoch, name);
        if (on_epoch) on_epoch(epoch, r);
        console.log(epoch_line(epoch, r));
        history.push(r);
    }
    return history;
}

module.exports = {load_data_fashion_mnist, evaluate_accuracy, train, train_epoch, epoch_line, correct};

// AlexNet as the BatchNorm blog post defines it (d2l's AlexNet chapter, MXNet Gluon), for
// Fashion-MNIST: one input channel, ten classes.
//
//   const alexnet = require('./alexnet.js');
//   const net = alexnet();
//   net.initialize(init.Xavier());
//
// The smallest input it takes is 67x67: conv1 (11, stride 4) gives 15x15, the pools 7, 3, 1.

function alexnet() {
    const net = nn.Sequential();
    net.add(nn.Conv2D(96, {kernel_size: 11, strides: 4, activation: 'relu'}),
            nn.MaxPool2D({pool_size: 3, strides: 2}),
            nn.Conv2D(256, {kernel_size: 5, padding: 2, activation: 'relu'}),
            nn.MaxPool2D({pool_size: 3, strides: 2}),
            nn.Conv2D(384, {kernel_size: 3, padding: 1, activation: 'relu'}),
            nn.Conv2D(384, {kernel_size: 3, padding: 1, activation: 'relu'}),
            nn.Conv2D(256, {kernel_size: 3, padding: 1, activation: 'relu'}),
            nn.MaxPool2D({pool_size: 3, strides: 2}),
            nn.Dense(4096, {activation: 'relu'}), nn.Dropout(0.2),
            nn.Dense(4096, {activation: 'relu'}), nn.Dropout(0.5),
            nn.Dense(10));
    return net;
}

module.exports = alexnet;

// AlexNet with BatchNorm after every convolution and hidden Dense layer, exactly as the blog
// post defines it (note: the second hidden Dense layer has 2048 units here, not 4096).
//
//   const alexnet_bn = require('./alexnet_bn.js');
//   const net = alexnet_bn();
//   net.initialize(init.Xavier());

function alexnet_bn() {
    const net = nn.Sequential();
    net.add(nn.Conv2D(96, {kernel_size: 11, strides: 4}), nn.BatchNorm(), nn.Activation('relu'),
            nn.MaxPool2D({pool_size: 3, strides: 2}),
            nn.Conv2D(256, {kernel_size: 5, padding: 2}), nn.BatchNorm(), nn.Activation('relu'),
            nn.MaxPool2D({pool_size: 3, strides: 2}),
            nn.Conv2D(384, {kernel_size: 3, padding: 1}), nn.BatchNorm(), nn.Activation('relu'),
            nn.Conv2D(384, {kernel_size: 3, padding: 1}), nn.BatchNorm(), nn.Activation('relu'),
            nn.Conv2D(256, {kernel_size: 3, padding: 1}), nn.BatchNorm(), nn.Activation('relu'),
            nn.MaxPool2D({pool_size: 3, strides: 2}),
            nn.Dense(4096), nn.BatchNorm(), nn.Activation('relu'), nn.Dropout(0.2),
            nn.Dense(2048), nn.BatchNorm(), nn.Activation('relu'), nn.Dropout(0.5),
            nn.Dense(10));
    return net;
}

module.exports = alexnet_bn;

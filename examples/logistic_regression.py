"""The Theano manual's "A Real Example": logistic regression trained with function(..., updates=...).

Run: python examples/logistic_regression.py [training_steps]
Prints the cost as it trains, then the final model's accuracy on its training data.
"""
import sys
import time

import numpy

import hypatia as theano
import hypatia.tensor as T

rng = numpy.random.RandomState(1234)

N = 400                                   # training sample size
feats = 784                               # number of input variables
training_steps = int(sys.argv[1]) if len(sys.argv) > 1 else 10000

# generate a dataset: D = (input_values, target_class)
D = (rng.randn(N, feats), rng.randint(size=N, low=0, high=2))

# Declare symbolic variables
x = T.dmatrix("x")
y = T.dvector("y")

# The weight vector and the bias are shared so they keep their values between calls.
w = theano.shared(rng.randn(feats), name="w")
b = theano.shared(0., name="b")

# Construct the expression graph
p_1 = 1 / (1 + T.exp(-T.dot(x, w) - b))          # probability that target = 1
prediction = p_1 > 0.5                            # the prediction thresholded
xent = -y * T.log(p_1) - (1 - y) * T.log(1 - p_1)  # cross-entropy loss
cost = xent.mean() + 0.01 * (w ** 2).sum()        # the cost to minimise
gw, gb = T.grad(cost, [w, b])                     # its gradient w.r.t. w and b

# Compile
t0 = time.perf_counter()
train = theano.function(inputs=[x, y], outputs=[prediction, cost],
                        updates=((w, w - 0.1 * gw), (b, b - 0.1 * gb)))
predict = theano.function(inputs=[x], outputs=prediction)
print("compiled train and predict in %.1f ms" % ((time.perf_counter() - t0) * 1e3))

# Train
t0 = time.perf_counter()
report_every = max(1, training_steps // 10)
for i in range(training_steps):
    pred, err = train(D[0], D[1])
    if i % report_every == 0 or i == training_steps - 1:
        print("step %5d  cost %.6f  train accuracy %.3f" % (i, err, (pred == D[1]).mean()))
elapsed = time.perf_counter() - t0
print("%d steps in %.2f s (%.1f us per step)" % (training_steps, elapsed, 1e6 * elapsed / training_steps))

print("target values for D:")
print(D[1][:20])
print("prediction on D:")
print(predict(D[0]).astype(int)[:20])
print("accuracy on D: %.3f" % (predict(D[0]) == D[1]).mean())

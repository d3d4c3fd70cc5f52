"""The MNIST data: reading it (IDX, bundled files), preparing drawings, and the views of lessons 1-2."""

/** Registers every ONNX op converter (imported for its side effects). */

/** A model.onnx tfc cannot import; the message names the file and, where it applies, the node, op and opset. */
export class OnnxImportError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OnnxImportError';
  }
}

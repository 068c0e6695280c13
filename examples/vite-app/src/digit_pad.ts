/**
 * The 28x28 image the model classifies: a canvas shown enlarged, white
 * strokes on black as in MNIST, drawn with the pointer. pixels() gives the
 * model's input: one value in [0, 1] per pixel (the red channel / 255), row by row.
 */
const SIZE = 28;

export class DigitPad {
  private readonly context: CanvasRenderingContext2D;
  private drawing = false;

  /** `onDrawn` runs when a stroke ends. */
  constructor(
    private readonly canvas: HTMLCanvasElement,
    onDrawn: () => void,
  ) {
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('this browser has no 2D canvas');
    this.context = context;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.lineWidth = 2.5;
    context.strokeStyle = '#fff';
    canvas.addEventListener('pointerdown', (e) => {
      this.drawing = true;
      canvas.setPointerCapture(e.pointerId);
      this.context.beginPath();
      this.context.moveTo(...this.at(e));
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.drawing) return;
      this.context.lineTo(...this.at(e));
      this.context.stroke();
    });
    canvas.addEventListener('pointerup', () => {
      this.drawing = false;
      onDrawn();
    });
  }

  /** A pointer position in image pixels. */
  private at(e: PointerEvent): [number, number] {
    return [(e.offsetX / this.canvas.clientWidth) * SIZE, (e.offsetY / this.canvas.clientHeight) * SIZE];
  }

  clear(): void {
    this.context.fillStyle = '#000';
    this.context.fillRect(0, 0, SIZE, SIZE);
  }

  /** Draws a "3" with two arcs. */
  drawSample(): void {
    this.clear();
    const c = this.context;
    c.beginPath();
    c.arc(14, 9.5, 5, Math.PI * 1.1, Math.PI * 0.5);
    c.stroke();
    c.beginPath();
    c.arc(14, 19, 5.5, Math.PI * 1.5, Math.PI * 0.9);
    c.stroke();
  }

  pixels(): Float32Array {
    const { data } = this.context.getImageData(0, 0, SIZE, SIZE);
    return Float32Array.from({ length: SIZE * SIZE }, (_, i) => data[4 * i] / 255);
  }
}

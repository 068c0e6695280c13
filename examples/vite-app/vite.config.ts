import { defineConfig } from 'vite';
import tfc from 'vite-plugin-tfc';

// Every `?tfc` import is compiled for WebAssembly and WebGPU; the page's loadModel() picks WebGPU where an adapter exists.
export default defineConfig({
  plugins: [tfc()],
});

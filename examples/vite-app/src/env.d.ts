/// <reference types="vite-plugin-tfc/client" />

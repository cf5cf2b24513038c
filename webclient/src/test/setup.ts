import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// jsdom lays nothing out and has no scrollIntoView; the browser's does the scrolling.
Element.prototype.scrollIntoView = function scrollIntoView() {
  /* nothing to scroll in jsdom */
};

afterEach(() => {
  cleanup();
  localStorage.clear();
});

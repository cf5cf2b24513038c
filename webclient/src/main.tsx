import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { ChatProvider } from './store/ChatProvider';
import { createChatStore } from './store/chatStore';
import './styles.css';
import './search.css';

const store = createChatStore();
void store.restore();

const root = document.getElementById('root');
if (!root) throw new Error('index.html lacks #root');

createRoot(root).render(
  <StrictMode>
    <ChatProvider store={store}>
      <App />
    </ChatProvider>
  </StrictMode>,
);

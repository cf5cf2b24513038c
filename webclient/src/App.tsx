import { AuthScreen } from './components/AuthScreen';
import { ChatLayout } from './components/ChatLayout';
import { useChatState } from './store/useChat';

export function App() {
  const status = useChatState((s) => s.session.status);
  if (status === 'checking') {
    return (
      <div className="splash" role="status">
        <span className="brand-mark spin" aria-hidden="true" />
        <span>Loading ChatApp…</span>
      </div>
    );
  }
  return status === 'signed_in' ? <ChatLayout /> : <AuthScreen />;
}

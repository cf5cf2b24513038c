import { createContext } from 'react';
import type { ChatStore } from './chatStore';

export const ChatContext = createContext<ChatStore | null>(null);

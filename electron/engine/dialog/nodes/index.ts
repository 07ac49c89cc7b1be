/** The node factory: one executor class per node kind. */
import type { NodeExecutor } from '../context.js';
import type { FlowNode } from '../schema.js';
import { AskNode } from './ask.js';
import { BranchNode } from './branch.js';
import { CallbackNode } from './callback.js';
import { CollectNode } from './collect.js';
import { HangupNode, SayNode, SetNode, TransferNode } from './simple.js';

export function createNodeExecutor(node: FlowNode): NodeExecutor {
  switch (node.kind) {
    case 'say':
      return new SayNode(node);
    case 'ask':
      return new AskNode(node);
    case 'branch':
      return new BranchNode(node);
    case 'set':
      return new SetNode(node);
    case 'transfer':
      return new TransferNode(node);
    case 'callback':
      return new CallbackNode(node);
    case 'hangup':
      return new HangupNode(node);
    case 'collect':
      return new CollectNode(node);
  }
}

/**
 * The engine the server analyses with: the grammar, loaded once from where start-up says (a failure is
 * shown to the user, and kept so that hover can say why nothing is analysed), and an Analyzer made again
 * with every change of settings.
 */
import { Analyzer, type Grammar, type GrammarSource, type Settings, loadGrammar } from '../engine';
import { type Log, MessageType } from './log';

export class AnalyzerHost {
  private grammar?: Grammar;
  /** Undefined until the grammar is loaded, and while it cannot be. */
  analyzer?: Analyzer;
  /** Why the grammar could not be loaded. */
  error?: string;

  constructor(
    private readonly source: GrammarSource,
    private readonly log: Log,
  ) {}

  async load(settings: Settings): Promise<void> {
    try {
      this.grammar ??= await loadGrammar(this.source, (m) => this.log.log(m));
      this.error = undefined;
      this.analyzer = new Analyzer(this.grammar, { settings });
      this.log.log(`lockscope: ready (${this.analyzer.catalog.size} lock primitives)`);
    } catch (e) {
      this.analyzer = undefined;
      this.error = (e as Error).message;
      this.log.show(MessageType.Error, this.error);
    }
  }
}

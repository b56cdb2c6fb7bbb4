/** One labelled text to train a router model on. */
export interface TrainingExample {
  text: string;
  /** Values of the categorical columns, in the order of `categoricalColumns`. */
  categories?: string[];
  label: string;
}

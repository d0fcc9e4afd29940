package dev.scanflux.exchanges;

import dev.scanflux.core.ScanListener;
import dev.scanflux.core.StreamTransition;
import java.util.concurrent.CopyOnWriteArrayList;

/** The stream transitions a scanner reported, in order: give it to {@code listener(...)}. */
public final class TransitionLog extends CopyOnWriteArrayList<StreamTransition>
    implements ScanListener {

  private static final long serialVersionUID = 1L;

  @Override
  public void onStreamTransition(StreamTransition transition) {
    add(transition);
  }
}

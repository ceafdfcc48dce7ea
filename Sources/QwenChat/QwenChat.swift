// The QwenChat variant; see its issue.
import ZooCore
